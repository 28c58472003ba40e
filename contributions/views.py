"""Contribution pages: the counter's one-step statement, payment and receipt flow."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from contributions.models import Receipt, Statement
from sso.core.scoping import object_get_for_user


@login_required
@permission_required("contributions.view_statement", raise_exception=True)
def statement_detail(request, pk):
    statement = object_get_for_user(Statement.objects.select_related("employer", "branch"), request.user, pk=pk)
    return render(request, "contributions/statement_detail.html", {"statement": statement})


@login_required
@permission_required("contributions.view_receipt", raise_exception=True)
def receipt_detail(request, pk):
    receipt = object_get_for_user(Receipt.objects.select_related("payment", "office"), request.user, pk=pk)
    return render(request, "contributions/receipt_detail.html", {"receipt": receipt})
