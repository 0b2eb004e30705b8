// "Imprimer" buttons (data-pvd-print): open the browser's print dialog; print.css does the layout.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-pvd-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
