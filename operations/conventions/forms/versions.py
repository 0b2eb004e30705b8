"""Forms of issued versions, the signed scan, avenants and the public verification (issue 9, H3). They validate
and normalise (French messages); the services decide (operations.conventions.services)."""

from django import forms

from operations.conventions.services.versions import MAX_SCAN_BYTES


class IssueForm(forms.Form):
    note = forms.CharField(
        label="Motif de l'émission",
        max_length=250,
        required=False,
        help_text="« Pour relecture », « Pour signature »… Il est imprimé sur la page de la version.",
    )


class ScanForm(forms.Form):
    scan = forms.FileField(
        label="Exemplaire signé (PDF scanné, 30 Mo au plus)",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_scan(self) -> object:
        scan = self.cleaned_data["scan"]
        if scan.size > MAX_SCAN_BYTES:
            raise forms.ValidationError("Le scan dépasse 30 Mo.")
        return scan


class AmendmentForm(forms.Form):
    title = forms.CharField(label="Intitulé de l'avenant", max_length=250)
    purpose = forms.CharField(
        label="Objet de l'avenant",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce qu'il modifie : plan d'action, maquette financière, périmètres ORT, signataires…",
    )


class VerificationForm(forms.Form):
    file = forms.FileField(
        label="Fichier PDF à vérifier (30 Mo au plus)",
        help_text="Le fichier n'est pas conservé : seule son empreinte SHA-256 est calculée et comparée.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SCAN_BYTES:
            raise forms.ValidationError("Le fichier dépasse 30 Mo : il ne peut pas être une version émise.")
        return upload
