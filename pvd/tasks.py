"""Background jobs of the project package: thin wrappers, ids in (STYLE.md §18)."""

from celery import shared_task


@shared_task
def render_document(document_id: int) -> str:
    """Render one queued PDF (pvd.documents); returns its final status (done or failed)."""
    from pvd.documents import render_document as render  # lazy: pvd.documents queues this task
    from pvd.models import RenderedDocument

    return render(RenderedDocument.objects.get(pk=document_id)).status
