from django.urls import include, path

from . import iwmo_views as iwmo
from . import provider_views as p
from . import traject_views as t
from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("openarrangementen.portal.account_urls")),
    path("", include("openarrangementen.billing.urls")),
    path("", include("openarrangementen.contributions.urls")),
    path("catalogus/", views.catalog_index, name="catalog-index"),
    path("catalogus/<slug:region_slug>/", views.catalog_detail, name="catalog-detail"),
    path("inwoners/", views.client_list, name="client-list"),
    path("inwoners/<int:pk>/", views.client_detail, name="client-detail"),
    path("inwoners/<int:client_pk>/melding/", t.melding_new, name="melding-for-client"),
    path("trajecten/", t.traject_list, name="traject-list"),
    path("trajecten/melding/", t.melding_new, name="melding-new"),
    path("trajecten/<int:pk>/", t.traject_detail, name="traject-detail"),
    path("trajecten/<int:pk>/stap/<str:action>/", t.traject_action, name="traject-action"),
    path("trajecten/<int:pk>/gesprek/", t.intake_plan_view, name="traject-intake"),
    path("trajecten/<int:pk>/plan-van-aanpak/", t.plan_of_approach_view, name="traject-plan"),
    path("trajecten/<int:pk>/pop-deel-1/", t.part_one_view, name="traject-part-one"),
    path("trajecten/<int:pk>/consultatie/", t.consultation_view, name="traject-consultation"),
    path("trajecten/<int:pk>/aanbieder/", t.provider_choice_view, name="traject-provider"),
    path("trajecten/<int:pk>/toestemming/", t.consent_view, name="traject-consent"),
    path("trajecten/<int:pk>/ondertekening/", t.signature_view, name="traject-signature"),
    path("trajecten/<int:pk>/pop-deel-2/", t.part_two_review_view, name="traject-part-two"),
    path("trajecten/<int:pk>/beschikking/", t.beschikking_view, name="traject-beschikking"),
    path(
        "trajecten/<int:pk>/beschikking/<int:beschikking_pk>.pdf",
        t.beschikking_pdf,
        name="traject-beschikking-pdf",
    ),
    path("trajecten/<int:pk>/bezwaar/", t.objection_view, name="traject-objection"),
    path("trajecten/<int:pk>/opschorten/", t.suspension_view, name="traject-suspend"),
    path("trajecten/<int:pk>/start/", t.start_view, name="traject-start"),
    path("trajecten/<int:pk>/3-maandencheck/", t.start_check_view, name="traject-start-check"),
    path("trajecten/<int:pk>/vervolg/", t.follow_up_view, name="traject-follow-up"),
    path("trajecten/<int:pk>/wijziging/", t.change_view, name="traject-change"),
    path("trajecten/<int:pk>/signaal/<int:signal_pk>/", t.signal_read_view, name="traject-signal"),
    path("berichten/", views.notification_list, name="notifications"),
    # iWmo message log and requests; /berichten/ is the in-app notifications page.
    path("iwmo-berichten/", iwmo.message_list, name="iwmo-messages"),
    path("iwmo-berichten/<int:pk>/", iwmo.message_detail, name="iwmo-message"),
    path("iwmo-berichten/<int:pk>/opnieuw/", iwmo.message_resend, name="iwmo-message-resend"),
    path("iwmo-berichten/verzoeken/", iwmo.request_list, name="iwmo-requests"),
    path("iwmo-berichten/verzoeken/<int:pk>/", iwmo.request_answer, name="iwmo-request"),
    # Provider portal
    path("aanbieder/", p.inbox, name="provider-inbox"),
    path("aanbieder/oefenen/", p.practice, name="provider-practice"),
    path("aanbieder/trajecten/<int:pk>/", p.traject_page, name="provider-traject"),
    path("aanbieder/trajecten/<int:pk>/toewijzen/", p.assign, name="provider-assign"),
    path("aanbieder/trajecten/<int:pk>/pop-deel-2/", p.part_two, name="provider-part-two"),
    path("aanbieder/trajecten/<int:pk>/start/", p.start, name="provider-start"),
    path("aanbieder/trajecten/<int:pk>/casusregie/", p.casusregie, name="provider-casusregie"),
    path("aanbieder/trajecten/<int:pk>/signaal/", p.signal, name="provider-signal"),
    path("aanbieder/trajecten/<int:pk>/stop/", p.stop, name="provider-stop"),
    path(
        "aanbieder/trajecten/<int:pk>/iwmo-verzoek/", p.iwmo_request, name="provider-iwmo-request"
    ),
    path("aanbieder/trajecten/<int:pk>/overdracht/", p.handover, name="provider-handover"),
    path(
        "aanbieder/trajecten/<int:pk>/evaluatie/<int:evaluation_pk>/",
        p.evaluation,
        name="provider-evaluation",
    ),
    path("aanbieder/trajecten/<int:pk>/inzage/", p.delegation, name="provider-delegation"),
    path(
        "aanbieder/trajecten/<int:pk>/inzage/<int:delegation_pk>/intrekken/",
        p.delegation_revoke,
        name="provider-delegation-revoke",
    ),
    path(
        "aanbieder/trajecten/<int:pk>/oefenen-gemeente/",
        p.practice_municipality,
        name="provider-practice-municipality",
    ),
]
