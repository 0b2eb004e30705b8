"""Form pieces every app shares: the native date input, the widgets of a form's dates and amounts, and the model
form that carries the version it was displayed with (optimistic locking, docs/decisions/0004)."""

from django import forms

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"step": "0.01"}


def native_widgets(form: forms.BaseForm) -> None:
    """Dates get the browser's date picker (ISO value), amounts a step of one cent."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DATE
        if isinstance(field, forms.DecimalField):
            field.widget.attrs.update(MONEY)


class VersionedForm(forms.ModelForm):
    """A model form that remembers the version of the object it was displayed with (none when new)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["version"]  # a new object has no version to compare with
        elif not self.is_bound:
            self.initial["version"] = self.instance.version
