"""The rules page: every rule table by area, each table's rows (in force, scheduled, past),
its proposed changes and their history; proposing, confirming and withdrawing a change.
Head-office rules administrators only (`rule_changes.may_manage_rules`)."""

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import modelform_factory
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sso.core.audit import history_entries
from sso.core.forms import ThaiDateField, errors_to_form
from sso.core.models import RuleChange
from sso.core.rule_changes import (
    may_manage_rules,
    rule_change_confirm,
    rule_change_propose,
    rule_change_withdraw,
)
from sso.core.rules import RuleTable, table_get, tables, value_display, value_dump


def rules_admin_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not may_manage_rules(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _table_or_404(key) -> RuleTable:
    table = table_get(key)
    if table is None:
        raise Http404
    return table


def row_cells(table: RuleTable, row) -> list[tuple[str, str]]:
    cells = []
    for name in (*table.scope, *table.fields):
        value = getattr(row, name)
        if table.model._meta.get_field(name).is_relation:  # read with the row (RuleTable.rows)
            shown = str(value) if value is not None else "—"
        else:
            shown = value_display(table, name, value_dump(table, name, value))
        cells.append((table.field_label(name), shown))
    return cells


def _related_names(table: RuleTable, changes) -> dict:
    """The names of the records the changes' values point at (a province), one query a field."""
    names = {}
    for name in table.scope + table.fields:
        model_field = table.model._meta.get_field(name)
        if model_field.is_relation:
            ids = {change.values.get(name) for change in changes} - {None}
            found = model_field.related_model._default_manager.filter(pk__in=ids)
            names[name] = {obj.pk: str(obj) for obj in found}
    return names


def change_cells(table: RuleTable, change: RuleChange, related: dict | None = None) -> list[tuple[str, str]]:
    related = related if related is not None else _related_names(table, [change])
    cells = []
    for name in (*table.scope, *table.fields):
        value = change.values.get(name)
        if name in related:
            shown = related[name].get(value, "—") if value is not None else "—"
        else:
            shown = value_display(table, name, value)
        cells.append((table.field_label(name), shown))
    return cells


def _rows_by_time(table: RuleTable, today):
    scheduled, current, past = [], [], []
    for row in table.rows():
        if row.valid_from > today:
            scheduled.append(row)
        elif row.valid_to is not None and row.valid_to < today:
            past.append(row)
        else:
            current.append(row)
    show = lambda rows: [{"row": row, "cells": row_cells(table, row)} for row in rows]  # noqa: E731
    return show(current), show(scheduled), show(list(reversed(past)))


@rules_admin_required
def rules_index(request):
    today = timezone.localdate()
    areas: dict = {}
    for table in tables():
        current, scheduled, _past = _rows_by_time(table, today)
        proposed = RuleChange.objects.filter(table=table.key, status=RuleChange.Status.PROPOSED).count()
        areas.setdefault(str(table.area), []).append(
            {"table": table, "current": current, "scheduled": len(scheduled), "proposed": proposed}
        )
    return render(request, "core/rules/index.html", {"areas": areas.items(), "today": today})


@rules_admin_required
def rules_table(request, key):
    table = _table_or_404(key)
    today = timezone.localdate()
    current, scheduled, past = _rows_by_time(table, today)
    changes = list(
        RuleChange.objects.filter(table=table.key).select_related("proposed_by", "decided_by").order_by("-proposed_at")
    )
    related = _related_names(table, changes)
    return render(
        request,
        "core/rules/table.html",
        {
            "table": table,
            "today": today,
            "current": current,
            "scheduled": scheduled,
            "past": past,
            "labels": [table.field_label(name) for name in (*table.scope, *table.fields)],
            "changes": [{"change": change, "cells": change_cells(table, change, related)} for change in changes],
        },
    )


class _ChangeFields(forms.Form):
    valid_from = ThaiDateField(label=gettext_lazy("valid from"))
    valid_to = ThaiDateField(
        label=gettext_lazy("valid to"), required=False, help_text=gettext_lazy("Empty: until a later change.")
    )
    reason = forms.CharField(label=gettext_lazy("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    legal_reference = forms.CharField(
        label=gettext_lazy("legal instrument"),
        max_length=300,
        help_text=gettext_lazy("The ministerial regulation or announcement, with its date."),
    )


def _change_form(table: RuleTable, data=None):
    values_form = modelform_factory(table.model, fields=[*table.scope, *table.fields])(data, prefix="row")
    for name in table.scope:
        model_field = table.model._meta.get_field(name)
        if not model_field.is_relation and not model_field.choices and isinstance(model_field, models.CharField):
            # A scope named by text (a parameter's key): one of those the rules read.
            found = table.model._default_manager.order_by(name).values_list(name, flat=True).distinct()
            values_form.fields[name] = forms.ChoiceField(
                label=model_field.verbose_name, choices=[(value, value) for value in found]
            )
    return values_form, _ChangeFields(data)


@rules_admin_required
def rule_propose(request, key):
    table = _table_or_404(key)
    values_form, change_form = _change_form(table, request.POST or None)
    if request.method == "POST":
        # The service checks everything (a field's own validation included) and refuses in one go.
        values_form.is_valid()
        change_form.is_valid()
        if not values_form.errors and not change_form.errors:
            try:
                change = rule_change_propose(
                    table_key=table.key,
                    values={name: values_form.cleaned_data.get(name) for name in (*table.scope, *table.fields)},
                    valid_from=change_form.cleaned_data["valid_from"],
                    valid_to=change_form.cleaned_data.get("valid_to"),
                    reason=change_form.cleaned_data["reason"],
                    legal_reference=change_form.cleaned_data["legal_reference"],
                    officer=request.user,
                )
            except ValidationError as exc:
                _errors_to_forms(exc, values_form, change_form)
            else:
                messages.success(request, _("The change is proposed: a second administrator must confirm it."))
                return redirect("core:rule_change", pk=change.pk)
    return render(
        request,
        "core/rules/propose.html",
        {"table": table, "values_form": values_form, "change_form": change_form},
    )


def _errors_to_forms(exc: ValidationError, values_form, change_form) -> None:
    if not hasattr(exc, "error_dict"):
        change_form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        if name in values_form.fields:
            values_form.add_error(name, errors)
        else:
            errors_to_form(change_form, ValidationError({name: errors}))


def _change_or_404(pk) -> tuple[RuleChange, RuleTable]:
    change = get_object_or_404(RuleChange.objects.select_related("proposed_by", "decided_by"), pk=pk)
    return change, _table_or_404(change.table)


@rules_admin_required
def rule_change(request, pk):
    change, table = _change_or_404(pk)
    preview = None
    if change.status == RuleChange.Status.PROPOSED and table.preview is not None:
        preview = table.preview(change)
    return render(
        request,
        "core/rules/change.html",
        {
            "change": change,
            "table": table,
            "cells": change_cells(table, change),
            "preview": preview,
            "own": change.proposed_by_id == request.user.pk,
            "entries": history_entries(change),
        },
    )


@rules_admin_required
@require_POST
def rule_change_confirm_view(request, pk):
    change, _table = _change_or_404(pk)
    try:
        rule_change_confirm(change=change, officer=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The change is confirmed: the new row is in the table."))
    return redirect("core:rule_change", pk=change.pk)


@rules_admin_required
@require_POST
def rule_change_withdraw_view(request, pk):
    change, _table = _change_or_404(pk)
    try:
        rule_change_withdraw(change=change, officer=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The change is withdrawn."))
    return redirect("core:rule_change", pk=change.pk)
