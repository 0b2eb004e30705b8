/* Rich-text editing of convention articles (issue 9): progressive enhancement of every
   <textarea data-richtext> into a small editor. Without JavaScript the textarea alone works; the server
   sanitises the HTML anyway (operations.conventions.richtext.clean_html). No library, no CDN. */
(function () {
  "use strict";

  function blockKinds() {
    var node = document.getElementById("richtext-blocks");
    if (!node) return [];
    try {
      return JSON.parse(node.textContent) || [];
    } catch (error) {
      return [];
    }
  }

  function button(label, title) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "btn btn-sm btn-outline-secondary";
    element.textContent = label;
    if (title) element.title = title;
    return element;
  }

  function enhance(textarea, blocks) {
    var id = textarea.id || "richtext-" + Math.random().toString(36).slice(2);
    var labelElement = document.querySelector('label[for="' + textarea.id + '"]');
    var labelText = labelElement ? labelElement.textContent.trim() : "Texte";

    var toolbar = document.createElement("div");
    toolbar.className = "btn-toolbar gap-1 mb-1 flex-wrap";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Mise en forme : " + labelText);
    toolbar.setAttribute("aria-controls", id + "-editor");

    var editor = document.createElement("div");
    editor.id = id + "-editor";
    editor.className = "form-control richtext-editor";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    editor.setAttribute("aria-label", labelText);
    if (textarea.getAttribute("aria-describedby")) {
      editor.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    }
    editor.style.minHeight = "16rem";
    editor.innerHTML = textarea.value;

    function sync() {
      textarea.value = editor.innerHTML;
    }

    var toggles = [];
    function addCommand(label, command, value, stateName) {
      var element = button(label);
      element.setAttribute("aria-pressed", "false");
      element.addEventListener("click", function () {
        editor.focus();
        document.execCommand(command, false, value || null);
        sync();
        refresh();
      });
      toggles.push({ element: element, command: command, value: value, stateName: stateName });
      toolbar.appendChild(element);
    }

    function refresh() {
      toggles.forEach(function (toggle) {
        var pressed = false;
        try {
          if (toggle.command === "formatBlock") {
            pressed = String(document.queryCommandValue("formatBlock")).toLowerCase().replace(/[<>]/g, "") === "h3";
          } else {
            pressed = document.queryCommandState(toggle.command);
          }
        } catch (error) {
          pressed = false;
        }
        toggle.element.setAttribute("aria-pressed", pressed ? "true" : "false");
      });
    }

    addCommand("Gras", "bold");
    addCommand("Italique", "italic");
    addCommand("Titre", "formatBlock", "h3");
    addCommand("Liste à puces", "insertUnorderedList");
    addCommand("Liste numérotée", "insertOrderedList");

    if (blocks.length) {
      var selectId = id + "-bloc";
      var selectLabel = document.createElement("label");
      selectLabel.className = "visually-hidden";
      selectLabel.htmlFor = selectId;
      selectLabel.textContent = "Insérer un bloc de données";
      var select = document.createElement("select");
      select.id = selectId;
      select.className = "form-select form-select-sm w-auto";
      var first = document.createElement("option");
      first.value = "";
      first.textContent = "Insérer un bloc de données…";
      select.appendChild(first);
      blocks.forEach(function (block) {
        var option = document.createElement("option");
        option.value = block.kind;
        option.textContent = block.label;
        select.appendChild(option);
      });
      select.addEventListener("change", function () {
        if (!select.value) return;
        editor.focus();
        document.execCommand("insertHTML", false, "<p>[[bloc:" + select.value + "]]</p>");
        select.value = "";
        sync();
      });
      toolbar.appendChild(selectLabel);
      toolbar.appendChild(select);
    }

    textarea.hidden = true;
    textarea.parentNode.insertBefore(toolbar, textarea);
    textarea.parentNode.insertBefore(editor, textarea);

    editor.addEventListener("input", sync);
    editor.addEventListener("keyup", refresh);
    editor.addEventListener("mouseup", refresh);
    if (textarea.form) textarea.form.addEventListener("submit", sync);
  }

  document.addEventListener("DOMContentLoaded", function () {
    try {
      document.execCommand("defaultParagraphSeparator", false, "p");
    } catch (error) {
      /* older browsers: <div> paragraphs, cleaned by the server */
    }
    var blocks = blockKinds();
    document.querySelectorAll("textarea[data-richtext]").forEach(function (textarea) {
      enhance(textarea, blocks);
    });
  });
})();
