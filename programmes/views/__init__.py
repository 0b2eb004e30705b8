"""Views of the programmes app, one module per subject (programme, documents, stakes, needs, project)."""
