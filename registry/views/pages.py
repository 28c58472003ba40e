"""Registry pages: search, the lists, the person and employer pages, the forms that do more
than one service call (employee registration with its duplicate check, Section 40, merge and
unmerge). The plain counter forms are data in `counter_forms.py`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import forms, merging, selectors, services
from registry.filters import EmployerFilter, PersonFilter
from registry.models import Branch, Employment, InsuredPerson, PersonMerge
from registry.views.counter_forms import employer_get_for_user, form_page, person_get_for_user
from sso.core.confirm import form_supervisor_confirm
from sso.core.forms import errors_to_form
from sso.core.panels import panels_for
from sso.core.scoping import object_get_for_user, office_scoped

# Search ---------------------------------------------------------------------------------


@login_required
@permission_required("registry.view_insuredperson", raise_exception=True)
def search(request):
    """One box for every lookup: a national ID or account number goes straight to the
    record; a name lists persons and employers, best match first."""
    form = forms.SearchForm(request.GET or None)
    query = form.data.get("q", "").strip() if form.is_bound else ""
    persons, employers = [], []
    if query:
        persons = list(selectors.person_search(query, request.user)[: selectors.SEARCH_PAGE])
        employers = list(selectors.employer_search(query, request.user)[: selectors.SEARCH_PAGE])
        digits = selectors.digits_of(query)
        if digits.isdigit() and len(persons) + len(employers) == 1 and len(digits) in (10, 13):
            return redirect(persons[0] if persons else employers[0])
    return render(
        request, "registry/search.html", {"form": form, "query": query, "persons": persons, "employers": employers}
    )


def _list_page(request, filterset, *, template):
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {"filter": filterset, "page": page, "query": query.urlencode()})


@login_required
@permission_required("registry.view_insuredperson", raise_exception=True)
def person_list(request):
    """Insured persons: the office's own, or a search in every office, narrowed with the same
    filter as the API."""
    queryset = office_scoped(InsuredPerson.objects.select_related("office"), request.user).order_by("national_id")
    # Always bound: without a search the list is the office's own (PersonFilter.filter_queryset).
    filterset = PersonFilter(request.GET, queryset=queryset, request=request)
    return _list_page(request, filterset, template="registry/person_list.html")


@login_required
@permission_required("registry.view_employer", raise_exception=True)
def employer_list(request):
    """Employers: the office's own, or a search in every office (employers are read
    nationally), narrowed with the same filter as the API."""
    queryset = selectors.employers_readable(request.user).order_by("account_number")
    # Always bound: without a search the list is the office's own (EmployerFilter.filter_queryset).
    filterset = EmployerFilter(request.GET, queryset=queryset, request=request)
    return _list_page(request, filterset, template="registry/employer_list.html")


# Persons --------------------------------------------------------------------------------


@login_required
@permission_required("registry.view_insuredperson", raise_exception=True)
def person_detail(request, pk):
    person = selectors.person_page_get(pk, request.user)
    services.person_read_record(reader=request.user, person_id=person.pk, person_office_id=person.office_id, via="page")
    today = timezone.localdate()
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "completeness": selectors.person_completeness(person),
            "current_section": selectors.open_section(person, today),
            # The contribution months and the claims come from the apps above the registry.
            "panels": panels_for("registry.person", request, person),
            "merges": merging.merges_of(person),
            "today": today,
        },
    )


@login_required
@permission_required("registry.add_sectionspell", raise_exception=True)
def section40(request, pk=None):
    """Section 40: a new person (full form) or one on record (option and date only)."""
    person = person_get_for_user(request, pk) if pk else None
    form = forms.Section40Form(request.POST or None, existing=person, initial={"applied_on": timezone.localdate()})

    def apply(data):
        if person is not None:
            return services.section40_register(
                officer=request.user, person=person, option=data["s40_option"], applied_on=data["applied_on"]
            )
        return services.section40_register(
            officer=request.user,
            option=data["s40_option"],
            applied_on=data["applied_on"],
            national_id=data["national_id"],
            id_type=data["id_type"],
            **form.person_fields(),
        )

    return form_page(
        request,
        form,
        template="registry/form.html",
        context={"title": _("Section 40 registration"), "person": person},
        apply=apply,
        success=_("Section 40 insurance registered."),
        next_url=lambda spell: spell.person,
    )


def _supervisor_confirming(request, form):
    """The supervisor who confirms on this screen (username and password), as the benefits
    override does; None, with the error on the form, when they do not."""
    data = form.cleaned_data
    if not data["supervisor"] or not data["supervisor_password"]:
        form.add_error("supervisor", _("A supervisor must confirm this merge with their username and password."))
        return None
    # Not authenticate(): wrong passwords here must not lock the supervisor out (sso.core.confirm).
    return form_supervisor_confirm(form, purpose="person-merge", asked_by=request.user)


@login_required
@permission_required("registry.merge_insuredperson", raise_exception=True)
def person_merge(request, pk):
    """A verifier merges a duplicate record into this one. The first submit shows both records
    side by side (field by field, plain differences marked) and what will move; records that
    differ plainly need a reason and a supervisor confirming on the same screen."""
    person = person_get_for_user(request, pk)
    form = forms.MergeForm(request.POST or None)
    duplicate = preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Only a record the officer may see can be merged (another office's is "not found").
        duplicate = selectors.person_get_by_national_id(data["duplicate_national_id"], request.user)
        if duplicate is None:
            form.add_error("duplicate_national_id", _("No record has this national ID."))
        elif duplicate.pk == person.pk:
            form.add_error("duplicate_national_id", _("Choose two different records."))
            duplicate = None
        else:
            preview = merging.person_merge_preview(keep=person, drop=duplicate)
            if data["confirm"] and not preview.refusals:
                supervisor = _supervisor_confirming(request, form) if preview.needs_confirmation else None
                if supervisor is not None or not preview.needs_confirmation:
                    try:
                        services.person_merge(
                            officer=request.user,
                            keep=person,
                            drop=duplicate,
                            reason=data["reason"],
                            confirmed_by=supervisor,
                        )
                    except ValidationError as exc:
                        if hasattr(exc, "error_dict") and "confirmed_by" in exc.error_dict:
                            exc = ValidationError({"supervisor": exc.error_dict.pop("confirmed_by"), **exc.error_dict})
                        errors_to_form(form, exc)
                    else:
                        messages.success(request, _("Records merged."))
                        return redirect(person)
    return render(
        request,
        "registry/person_merge.html",
        {
            "form": form,
            "person": person,
            "duplicate": duplicate,
            "preview": preview,
            "likely": selectors.person_duplicates(
                first_name_th=person.first_name_th,
                last_name_th=person.last_name_th,
                birth_date=person.birth_date,
                exclude_id=person.pk,
            ),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@permission_required("registry.unmerge_insuredperson", raise_exception=True)
def person_unmerge(request, pk):
    """A supervisor undoes a merge: what moved goes back to the merged record, which reopens."""
    merge = object_get_for_user(PersonMerge.objects.select_related("kept", "merged", "merged_by"), request.user, pk=pk)
    form = forms.UnmergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merging.person_unmerge(officer=request.user, merge=merge, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Merge undone: the records are separate again."))
            return redirect(merge.merged)
    return render(
        request,
        "registry/person_unmerge.html",
        {"form": form, "merge": merge, "problems": merging.unmerge_problems(merge)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("core.view_audit_history", raise_exception=True)
def person_reads(request):
    """Who read the record of a person another office keeps, and when: a person is read
    nationally, so the reads are audited. A supervisor sees their office's staff's reads and
    the reads of their office's persons."""
    national_id = request.GET.get("national_id", "")[:20]
    reader = request.GET.get("reader", "")[:150]
    reads = selectors.person_reads(request.user, national_id=national_id, reader=reader)
    page = Paginator(reads, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/person_reads.html",
        {"page": page, "query": query.urlencode(), "national_id": national_id, "reader": reader},
    )


# Employers ------------------------------------------------------------------------------


@login_required
@permission_required("registry.view_employer", raise_exception=True)
def employer_detail(request, pk):
    """An employer's page, at any office (employers are read nationally); the forms on it
    (employees, branches, cessation) and its account are its responsible office's."""
    employer = selectors.employer_read_get(request.user, pk=pk)
    show_all = request.GET.get("all") == "1"
    employments = (
        Employment.objects.filter(employer=employer).select_related("person", "branch").order_by("-started_on", "pk")
    )
    if not show_all:
        employments = employments.filter(ended_on__isnull=True)
    page = Paginator(employments, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/employer_detail.html",
        {
            "employer": employer,
            "branches": list(employer.branches.select_related("province")),
            "page": page,
            "show_all": show_all,
            "open_count": employer.employments.filter(ended_on__isnull=True).count(),
            "works_here": selectors.employer_in_scope(employer, request.user),
            # The employer's account comes from contributions, above the registry.
            "panels": panels_for("registry.employer", request, employer),
        },
    )


@login_required
@permission_required("registry.add_employment", raise_exception=True)
def employee_register(request, pk):
    """Form SSO 1-03. Likely duplicates (same birth date, same or similar name) are listed
    before anything is stored; the officer confirms they checked them."""
    employer = employer_get_for_user(request, pk)
    form = forms.EmployeeForm(request.POST or None, employer=employer, initial={"branch": Branch.HEAD_OFFICE})
    duplicates, differences, existing = [], [], None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = selectors.person_find(data["national_id"])
        duplicates = selectors.person_duplicates(
            first_name_th=data["first_name_th"],
            last_name_th=data["last_name_th"],
            birth_date=data["birth_date"],
            exclude_id=existing.pk if existing else None,
        )
        # Someone already insured: what the form says against their record, and the officer chooses.
        differences = selectors.person_differences(existing, form.person_fields()) if existing else []
        if differences and not data.get("existing_person"):
            form.existing_person_ask(
                _("This person is already insured and their record differs from the form: choose what to do.")
            )
        elif duplicates and not data["duplicates_checked"]:
            form.add_error(
                "duplicates_checked", _("Check the likely duplicates first, then tick this box to register.")
            )
        else:
            try:
                employment = services.employee_register(
                    officer=request.user,
                    employer=employer,
                    branch=employer.branches.get(number=data["branch"]),
                    started_on=data["started_on"],
                    national_id=data["national_id"],
                    id_type=data["id_type"],
                    monthly_wage=data["monthly_wage"],
                    hospital=data["hospital"],
                    existing_person=data.get("existing_person") or None,
                    **form.person_fields(),
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                if employment.late_registration:
                    days = selectors.registration_rule(employment.registered_on).employee_registration_days
                    message = _("Registered late: more than %(days)s days after hiring. The case is flagged.")
                    messages.warning(request, message % {"days": days})
                messages.success(request, _("Employee registered."))
                return redirect(employment.person)
    return render(
        request,
        "registry/employee_register.html",
        {
            "form": form,
            "employer": employer,
            "duplicates": duplicates,
            "differences": differences,
            "existing": existing,
        },
    )
