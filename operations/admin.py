from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from operations.models import (
    Consultation,
    Contract,
    HousingProgramme,
    LatePaymentRate,
    Operation,
    PhaseTemplate,
    ProcurementThreshold,
)


@admin.register(HousingProgramme)
class HousingProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "owner", "operator", "starts_on", "ends_on")
    list_filter = ("kind",)
    list_select_related = ("owner", "operator")
    search_fields = ("name",)
    autocomplete_fields = ("owner", "operator", "communes", "programme")


@admin.register(Operation)
class OperationAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "programme", "owner", "status")
    list_filter = ("status", "in_ort")
    list_select_related = ("programme", "owner")
    search_fields = ("code", "title")
    autocomplete_fields = ("owner", "communes", "partners")


@admin.register(PhaseTemplate)
class PhaseTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("order", "name", "weight", "typical_months")


@admin.register(ProcurementThreshold)
class ProcurementThresholdAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "nature", "value_ht", "valid_from", "valid_until", "legal_reference")
    list_filter = ("kind", "nature")


@admin.register(LatePaymentRate)
class LatePaymentRateAdmin(SimpleHistoryAdmin):
    list_display = ("valid_from", "valid_until", "ecb_rate", "margin", "flat_fee", "payment_days")


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "title", "programme", "nature", "procedure", "status", "launch_date")
    list_filter = ("nature", "procedure", "status")
    raw_id_fields = ("programme", "buyer", "operations")


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ("number", "holder", "amount_ht", "status", "signed_on", "notified_on")
    list_filter = ("status",)
    raw_id_fields = ("lot", "holder")
