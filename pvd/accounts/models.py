"""Users (e-mail login) and their dated memberships: the only source of what a user may see."""

import datetime
from typing import Self

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        # Log-in is case-insensitive on the e-mail address.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address. What they see comes from their memberships."""

    email = models.EmailField("adresse e-mail", unique=True)
    full_name = models.CharField("nom complet", max_length=150, blank=True)
    job_title = models.CharField("fonction", max_length=150, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField(
        "administrateur",
        default=False,
        help_text="Accède à l'administration (comptes, données de référence).",
    )
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ("email", "pk")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    """ARCHITECTURE.md §2."""

    MANAGER = "manager", "Chargé(e) de mission / chef(fe) de projet"
    REFERENT = "referent", "Élu(e) référent(e)"
    MAYOR = "mayor", "Maire ou adjoint(e)"
    OPERATOR = "operator", "Opérateur de suivi-animation"
    PARTNER = "partner", "Partenaire"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active_on(self, day: datetime.date) -> Self:
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)


class Membership(models.Model):
    """A role held by a user on a programme, a commune or a housing programme, between two dates.

    Mandates change (municipal elections of March 2026): ending a membership and starting another
    moves access without editing code or losing who could see what, and when.
    """

    Role = Role

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="utilisateur"
    )
    role = models.CharField("rôle", max_length=20, choices=Role)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="programme",
    )
    commune = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="commune",
        limit_choices_to={"kind": "commune"},
    )
    housing_programme = models.ForeignKey(
        "operations.HousingProgramme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="dispositif habitat",
    )
    title = models.CharField(
        "intitulé",
        max_length=150,
        blank=True,
        help_text="Par exemple « Maire », « 1er adjoint », « Anah — DDT 52 ».",
    )
    valid_from = models.DateField("début", default=datetime.date.today)
    valid_until = models.DateField("fin", null=True, blank=True, help_text="Vide : en cours.")

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rôle (habilitation)"
        verbose_name_plural = "rôles (habilitations)"
        ordering = ("user", "role", "-valid_from", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="membership_until_after_from",
                violation_error_message="La date de fin doit être postérieure ou égale à la date de début.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=[Role.MANAGER, Role.REFERENT, Role.PARTNER],
                        commune__isnull=True,
                    )
                    & (
                        Q(programme__isnull=False, housing_programme__isnull=True)
                        | Q(programme__isnull=True, housing_programme__isnull=False)
                    )
                )
                | Q(
                    role=Role.MAYOR,
                    commune__isnull=False,
                    programme__isnull=True,
                    housing_programme__isnull=True,
                )
                | Q(
                    role=Role.OPERATOR,
                    housing_programme__isnull=False,
                    programme__isnull=True,
                    commune__isnull=True,
                ),
                name="membership_scope_matches_role",
                violation_error_message=(
                    "Un maire est rattaché à une commune ; un opérateur à un dispositif habitat ; "
                    "les autres rôles à un programme ou à un dispositif habitat (un seul)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.target}"

    @property
    def target(self) -> object:
        return self.programme or self.commune or self.housing_programme
