"""The counter's forms on one record, as data: each entry of `COUNTER_FORMS` names its
permission, form, title, service and where it goes after; `counter_form_view` turns an entry
into the page. GET shows the form, POST validates it, calls the one service and goes back to
the record's page; a service's refusal is shown on the field it names and nothing is stored.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import forms, services
from registry.models import Employer, Employment, InsuredPerson
from sso.core.forms import errors_to_form
from sso.core.scoping import object_get_for_user


def person_get_for_user(request, pk) -> InsuredPerson:
    return object_get_for_user(InsuredPerson.objects.select_related("office"), request.user, pk=pk)


def employer_get_for_user(request, pk) -> Employer:
    return object_get_for_user(Employer.objects.select_related("province", "responsible_office"), request.user, pk=pk)


def employment_get_for_user(request, pk) -> Employment:
    return object_get_for_user(Employment.objects.select_related("person", "employer"), request.user, pk=pk)


def form_page(request, form, *, template, context, apply, success, next_url):
    """Validate `form` on POST and run `apply(data)` (a service call); on success flash
    `success` and go to `next_url` (or `next_url(result)`), else show the errors on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            result = apply(form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, success)
            return redirect(next_url(result) if callable(next_url) else next_url)
    return render(request, template, {"form": form, **context})


def _today():
    return timezone.localdate()


@dataclass(frozen=True)
class CounterForm:
    """One counter form on a record (or on none: a new employer)."""

    permission: str
    form: type
    title: str
    success: str
    # (officer, record, cleaned data) -> the service's result
    apply: Callable
    # (request, pk) -> the record the form is about, office-scoped (None: no record)
    record: Callable | None = None
    # (request, record) -> the form's initial values
    initial: Callable = lambda request, record: {}
    # The form edits the record itself (a ModelForm's instance).
    instance: bool = False
    # (record) -> what the page shows above the form: the person and/or the employer
    shows: Callable = lambda record: {}
    # (record, result) -> where to go after: the record's page, unless said otherwise
    next_url: Callable = lambda record, result: record


def _person(record):
    return {"person": record}


def _employer(record):
    return {"employer": record}


COUNTER_FORMS = {
    "person_edit": CounterForm(
        permission="registry.change_insuredperson",
        form=forms.PersonEditForm,
        title=_("Correct personal details"),
        success=_("Personal details saved."),
        record=person_get_for_user,
        instance=True,
        shows=_person,
        apply=lambda officer, person, data: services.person_update(officer=officer, person=person, **data),
    ),
    "hospital_change": CounterForm(
        permission="registry.add_hospitalregistration",
        form=forms.HospitalChangeForm,
        title=_("Change of registered hospital (SSO 9-02)"),
        success=_("Hospital changed."),
        record=person_get_for_user,
        initial=lambda request, person: {"valid_from": _today()},
        shows=_person,
        apply=lambda officer, person, data: services.hospital_change(officer=officer, person=person, **data),
    ),
    "bank_account": CounterForm(
        permission="registry.add_bankaccount",
        form=forms.BankAccountForm,
        title=_("Bank account for benefit payments"),
        success=_("Bank account saved."),
        record=person_get_for_user,
        initial=lambda request, person: {"valid_from": _today(), "account_name": person.full_name_th},
        shows=_person,
        apply=lambda officer, person, data: services.bank_account_set(officer=officer, person=person, **data),
    ),
    "dependant_add": CounterForm(
        permission="registry.add_dependant",
        form=forms.DependantForm,
        title=_("Add a child or spouse"),
        success=_("Dependant added."),
        record=person_get_for_user,
        initial=lambda request, person: {"last_name_th": person.last_name_th},
        shows=_person,
        apply=lambda officer, person, data: services.dependant_add(officer=officer, person=person, **data),
    ),
    "section39": CounterForm(
        permission="registry.add_sectionspell",
        form=forms.Section39Form,
        title=_("Section 39 application"),
        success=_("Section 39 insurance started."),
        record=person_get_for_user,
        initial=lambda request, person: {"applied_on": _today()},
        shows=_person,
        apply=lambda officer, person, data: services.section39_apply(officer=officer, person=person, **data),
    ),
    "employer_register": CounterForm(
        permission="registry.add_employer",
        form=forms.EmployerForm,
        title=_("Employer registration (SSO 1-01)"),
        success=_("Employer registered."),
        initial=lambda request, _none: {"registered_on": _today(), "responsible_office": request.user.office},
        apply=lambda officer, _none, data: services.employer_register(officer=officer, **data),
        next_url=lambda _none, employer: employer,
    ),
    "branch_add": CounterForm(
        permission="registry.add_branch",
        form=forms.BranchForm,
        title=_("Add a branch"),
        success=_("Branch added."),
        record=employer_get_for_user,
        initial=lambda request, employer: {"province": employer.province_id},
        shows=_employer,
        apply=lambda officer, employer, data: services.branch_add(officer=officer, employer=employer, **data),
    ),
    "employer_cease": CounterForm(
        permission="registry.change_employer",
        form=forms.CeaseForm,
        title=_("Employer ceased business"),
        success=_("Employer recorded as ceased."),
        record=employer_get_for_user,
        initial=lambda request, employer: {"ceased_on": _today()},
        shows=_employer,
        apply=lambda officer, employer, data: services.employer_cease(officer=officer, employer=employer, **data),
    ),
    "employee_leave": CounterForm(
        permission="registry.change_employment",
        form=forms.LeaveForm,
        title=_("Employee leaving (SSO 6-09)"),
        success=_("Leaving recorded."),
        record=employment_get_for_user,
        initial=lambda request, employment: {"ended_on": _today()},
        shows=lambda employment: {"person": employment.person, "employer": employment.employer},
        apply=lambda officer, employment, data: services.employee_leave(
            officer=officer, employment=employment, ended_on=data["ended_on"], reason=data["leaving_reason"]
        ),
        next_url=lambda employment, result: employment.person,
    ),
}


def counter_form_view(name: str):
    """The page of the counter form `name` of COUNTER_FORMS."""
    spec = COUNTER_FORMS[name]

    @login_required
    @permission_required(spec.permission, raise_exception=True)
    def view(request, pk=None):
        record = spec.record(request, pk) if spec.record is not None else None
        initial = spec.initial(request, record)
        if spec.instance:
            form = spec.form(request.POST or None, instance=record, initial=initial)
        else:
            form = spec.form(request.POST or None, initial=initial)
        return form_page(
            request,
            form,
            template="registry/form.html",
            context={"title": spec.title, **(spec.shows(record) if record is not None else {})},
            apply=lambda data: spec.apply(request.user, record, data),
            success=spec.success,
            next_url=lambda result: spec.next_url(record, result),
        )

    view.__name__ = view.__qualname__ = name
    view.__doc__ = f"{spec.title} (a counter form: registry.views.counter_forms)."
    return view
