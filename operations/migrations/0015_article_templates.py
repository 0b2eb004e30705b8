"""The models of articles new conventions start from (DOMAIN.md §1.3 for the convention-cadre — ANCT model, articles
after art. 1 reconstructed [P/U]; §3.2 for the Anah convention's chapters [P]; §1.2 for the convention d'adhésion and
avenants). Editable by the administrator (« Articles types »); a convention keeps the text it was created with.
`[[bloc:…]]` markers insert live data tables (operations.conventions.blocks)."""

from django.db import migrations

P = "<p>{}</p>".format
TODO = "<p><em>[À compléter]</em> {}</p>".format

FRAMEWORK = [
    (
        "preamble",
        "",
        "Préambule",
        P(
            "Le programme Petites Villes de Demain, lancé le 1er octobre 2020 et piloté par "
            "l'Agence nationale de la cohésion des territoires (ANCT), vise à améliorer les conditions de vie des habitants "
            "des petites communes et des territoires alentour, en accompagnant les collectivités dans des trajectoires "
            "dynamiques et respectueuses de l'environnement."
        )
        + TODO("Contexte du territoire et de la candidature."),
    ),
    (
        "article",
        "Article 1",
        "Objet de la convention-cadre",
        P(
            "La présente convention-cadre a pour objet de "
            "décliner les ambitions du territoire, les orientations stratégiques et le plan d'action du projet de "
            "revitalisation. Elle vaut convention d'opération de revitalisation de territoire (ORT) au sens de l'article "
            "L303-2 du code de la construction et de l'habitation."
        ),
    ),
    (
        "article",
        "Article 2",
        "Les ambitions du territoire",
        TODO("Synthèse du diagnostic.") + "[[bloc:enjeux]]",
    ),
    (
        "article",
        "Article 3",
        "Les orientations stratégiques",
        P(
            "Le projet de revitalisation s'organise selon les "
            "orientations stratégiques et objectifs opérationnels suivants."
        )
        + "[[bloc:orientations]]",
    ),
    (
        "article",
        "Article 4",
        "Le plan d'action",
        P(
            "Le plan d'action est constitué des fiches-actions annexées, "
            "distinguant les actions matures et les actions en maturation. Il est mis à jour au fil de l'eau et présenté "
            "au comité de projet."
        )
        + "[[bloc:plan_action]]"
        + P(
            "L'opération de revitalisation de territoire porte sur les "
            "secteurs d'intervention suivants, qui comprennent le centre-ville de la ville principale du territoire de "
            "l'EPCI signataire."
        )
        + "[[bloc:perimetres_ort]]",
    ),
    (
        "article",
        "Article 5",
        "Modalités d'accompagnement en ingénierie",
        P(
            "Les besoins en ingénierie identifiés "
            "et les offres mobilisées auprès des partenaires sont les suivants."
        )
        + "[[bloc:ingenierie]]",
    ),
    (
        "article",
        "Article 6",
        "Engagements des partenaires",
        TODO("Engagements des collectivités, de l'État, des financeurs et des opérateurs."),
    ),
    (
        "article",
        "Article 7",
        "Gouvernance",
        P(
            "Le comité de projet, présidé par les élus, valide les orientations, "
            "suit l'avancement et arbitre. Il est réuni au moins une fois par an ; un comité technique le prépare."
        )
        + TODO("Composition et fréquence."),
    ),
    (
        "article",
        "Article 8",
        "Suivi et évaluation",
        TODO("Indicateurs, état zéro et rythme de compte rendu."),
    ),
    ("article", "Article 9", "Résultats attendus", TODO("Cibles chiffrées du projet.")),
    (
        "article",
        "Article 10",
        "Utilisation des logos",
        P(
            "Chaque partie s'engage à faire apparaître la mention du "
            "programme Petites Villes de Demain et les logos des financeurs sur les supports de communication et les "
            "panneaux de chantier des opérations qu'ils soutiennent, selon leurs règles respectives."
        ),
    ),
    (
        "article",
        "Article 11",
        "Entrée en vigueur et durée",
        P("La présente convention entre en vigueur à la date de sa signature par l'ensemble des parties.")
        + TODO("Date de fin (fin du programme)."),
    ),
    (
        "article",
        "Article 12",
        "Évolution et mise à jour",
        P(
            "La convention est modifiée par avenant, approuvé par "
            "délibération de chaque collectivité signataire. Le plan d'action, la maquette financière et les secteurs "
            "d'intervention peuvent être actualisés par avenant."
        ),
    ),
    (
        "article",
        "Article 13",
        "Résiliation",
        P(
            "En cas de manquement grave d'une partie à ses engagements, la "
            "convention peut être résiliée par les autres parties après mise en demeure restée sans effet."
        ),
    ),
    (
        "article",
        "Article 14",
        "Traitement des litiges",
        P(
            "Les litiges relatifs à la présente convention relèvent "
            "du tribunal administratif territorialement compétent, après recherche d'une solution amiable."
        ),
    ),
    ("annex", "Annexe 1", "Plan d'action et fiches-actions", "[[bloc:plan_action]]"),
    ("annex", "Annexe 2", "Maquette financière", "[[bloc:maquette_financiere]]"),
    ("annex", "Annexe 3", "Secteurs d'intervention ORT", "[[bloc:perimetres_ort]]"),
    ("annex", "Annexe 4", "Parties et signataires", "[[bloc:signataires]]"),
]

ADHESION = [
    (
        "preamble",
        "",
        "Préambule",
        P(
            "Le programme Petites Villes de Demain accompagne les communes de moins de "
            "20 000 habitants exerçant des fonctions de centralité, désignées lauréates avec leur intercommunalité."
        ),
    ),
    (
        "article",
        "Article 1",
        "Objet de la convention",
        P(
            "La présente convention a pour objet de préciser "
            "l'engagement des parties dans l'élaboration du projet de territoire et de permettre le démarrage des "
            "premières actions sous forme de fiches-actions."
        ),
    ),
    (
        "article",
        "Article 2",
        "Engagements des collectivités bénéficiaires",
        P(
            "Les collectivités s'engagent à "
            "élaborer le projet de revitalisation et à signer une convention-cadre valant ORT dans un délai de dix-huit "
            "mois à compter de la signature de la présente convention, et à recruter un chef de projet."
        ),
    ),
    (
        "article",
        "Article 3",
        "Engagements de l'État et des partenaires",
        TODO("Cofinancement du poste de chef de projet et offres d'ingénierie mobilisées.")
        + "[[bloc:ingenierie]]",
    ),
    (
        "article",
        "Article 4",
        "Gouvernance",
        P(
            "Un comité de projet, entre les mains des élus, est mis en place dès "
            "la signature de la présente convention."
        ),
    ),
    ("article", "Article 5", "Premières actions", "[[bloc:plan_action]]"),
    (
        "article",
        "Article 6",
        "Durée",
        P("La convention prend effet à sa signature et prend fin à la signature de la convention-cadre."),
    ),
    ("annex", "Annexe", "Parties et signataires", "[[bloc:signataires]]"),
]

AMENDMENT = [
    (
        "preamble",
        "",
        "Préambule",
        P("Vu la convention modifiée par le présent avenant et ses avenants antérieurs."),
    ),
    (
        "article",
        "Article 1",
        "Objet de l'avenant",
        TODO(
            "Ce que modifie l'avenant : plan d'action, maquette "
            "financière, secteurs d'intervention, signataires."
        ),
    ),
    (
        "article",
        "Article 2",
        "Dispositions inchangées",
        P("Les autres dispositions de la convention demeurent inchangées."),
    ),
    (
        "article",
        "Article 3",
        "Entrée en vigueur",
        P("Le présent avenant entre en vigueur à la date de sa signature par l'ensemble des parties."),
    ),
]

HOUSING = [
    ("preamble", "", "Préambule", TODO("Étude pré-opérationnelle et constats.")),
    (
        "article",
        "Article 1",
        "Dénomination, périmètre et champs d'intervention",
        TODO("Nom de l'opération et périmètre (communes, secteurs, adresses)."),
    ),
    ("article", "Article 2", "Enjeux", TODO("Enjeux de l'opération.")),
    (
        "article",
        "Article 3",
        "Volets d'action",
        TODO(
            "Volets urbain, foncier, habitat indigne, copropriétés, énergie, autonomie, social, patrimoine."
        ),
    ),
    (
        "article",
        "Article 4",
        "Objectifs quantitatifs de réhabilitation",
        P("Les objectifs sont répartis par catégorie et par année comme suit.") + "[[bloc:objectifs_opah]]",
    ),
    (
        "article",
        "Article 5",
        "Financements des partenaires de l'opération",
        P(
            "Les engagements financiers de "
            "chaque partenaire, aides aux travaux et ingénierie, sont les suivants."
        )
        + "[[bloc:enveloppes_opah]]",
    ),
    (
        "article",
        "Article 6",
        "Règles d'application",
        TODO("Règlement des aides locales et conditions d'octroi."),
    ),
    (
        "article",
        "Article 7",
        "Pilotage, animation et évaluation",
        P(
            "Un comité de pilotage réunit au moins une "
            "fois par an le maître d'ouvrage, l'État et l'Anah, les financeurs et l'opérateur ; un comité technique en "
            "assure le suivi opérationnel. L'opérateur remet un bilan annuel et un bilan final."
        ),
    ),
    (
        "article",
        "Article 8",
        "Communication",
        P(
            "Les parties s'engagent à faire mention de l'Anah et des "
            "financeurs sur tous les supports relatifs à l'opération."
        ),
    ),
    (
        "article",
        "Article 9",
        "Durée, révision, résiliation et prorogation",
        P(
            "La convention est conclue pour "
            "cinq ans. Elle peut être révisée ou prorogée par avenant et résiliée dans les conditions prévues par la "
            "réglementation de l'Anah."
        ),
    ),
    ("annex", "Annexe", "Parties et signataires", "[[bloc:signataires]]"),
]

PARTNER = [
    ("preamble", "", "Préambule", TODO("Contexte du partenariat.")),
    ("article", "Article 1", "Objet", TODO("Objet de la convention.")),
    ("article", "Article 2", "Engagements des parties", TODO("Engagements de chaque partie.")),
    ("article", "Article 3", "Modalités financières", TODO("Montants, échéancier, justificatifs.")),
    ("article", "Article 4", "Durée", TODO("Entrée en vigueur et durée.")),
    (
        "article",
        "Article 5",
        "Litiges",
        P(
            "Les litiges relèvent du tribunal administratif territorialement "
            "compétent, après recherche d'une solution amiable."
        ),
    ),
    ("annex", "Annexe", "Parties et signataires", "[[bloc:signataires]]"),
]

MODELS = {
    "framework": FRAMEWORK,
    "adhesion": ADHESION,
    "amendment": AMENDMENT,
    "housing": HOUSING,
    "partner": PARTNER,
}


def add_article_templates(apps, schema_editor):
    ArticleTemplate = apps.get_model("operations", "ArticleTemplate")
    for convention_kind, articles in MODELS.items():
        for order, (kind, number, title, body) in enumerate(articles, start=1):
            ArticleTemplate.objects.update_or_create(
                convention_kind=convention_kind,
                order=order,
                defaults={"kind": kind, "number": number, "title": title, "body": body},
            )


def remove_article_templates(apps, schema_editor):
    apps.get_model("operations", "ArticleTemplate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("operations", "0014_conventions")]
    operations = [migrations.RunPython(add_article_templates, remove_article_templates)]
