"""The contribution rule tables on the rules page (`sso.core.rules`): their checks, what a
change affects, and the preview of a new rate row on the last statements filed."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least, Round
from django.utils.translation import gettext_lazy as _

from contributions import rules
from contributions.models import (
    CollectionRule,
    ContributionRate,
    Section40Option,
    Statement,
    StatementLine,
    SurchargeRule,
    VoluntaryRate,
)
from sso.core.formats import date_lazy, lazy_format, money_display, month_numeric_lazy
from sso.core.rules import Preview, RuleTable, at_least, percent_range

AREA = _("Contributions")
SAMPLE = 10
ZERO = Decimal("0.00")
WAGE_PERIODS = _(
    "Applies to the statements and payments of the wage periods it covers from the day it is confirmed."
    " A statement already filed keeps the rates, floor and ceiling it copied when it was filed."
)


def _rate_check(values):
    errors = percent_range(values, ("employee_rate", "employer_rate", "government_rate"))
    errors += at_least(values, ("wage_floor",), Decimal("0.01"))
    floor, ceiling = values.get("wage_floor"), values.get("wage_ceiling")
    if floor is not None and ceiling is not None and ceiling <= floor:
        errors.append(("wage_ceiling", _("The wage ceiling must be above the wage floor.")))
    return errors


def _shares(rate: dict):
    """One line's employee plus employer shares under `rate`, as SQL: the wage clamped to
    the floor and ceiling, each share rounded to the baht (half up, as `contribution_round`)."""
    money = DecimalField(max_digits=14, decimal_places=2)
    base = Least(Greatest(F("wage"), Value(rate["wage_floor"])), Value(rate["wage_ceiling"]))

    def share(percent):
        return Round(ExpressionWrapper(base * Value(percent) / Value(Decimal(100)), output_field=money))

    return share(rate["employee_rate"]) + share(rate["employer_rate"])


def rate_preview(change) -> Preview:
    """The contributions of the last wage period filed, in the change's scope, under the row
    in force for the change's first month and under the new row: the employers with the most
    employees, and the total over every statement of that period."""
    values = change.values
    province_id = values.get("province")
    period = change.valid_from
    try:
        old = rules.rate_for(period, province_id)
    except ValidationError:  # no row in force yet: nothing to compare with
        old = None
    new = {name: Decimal(values[name]) for name in ("employee_rate", "employer_rate", "wage_floor", "wage_ceiling")}
    statements = Statement.objects.exclude(status=Statement.Status.VOID).filter(amends__isnull=True)
    if province_id:
        statements = statements.filter(branch__province_id=province_id)
    last = statements.order_by("-period").values_list("period", flat=True).first()
    if old is None or last is None:
        return Preview(_("No statement has been filed in this scope yet: there is nothing to compare."))
    old_rate = {name: getattr(old, name) for name in new}
    lines = StatementLine.objects.filter(statement__in=statements.filter(period=last))
    sums = {"old": Coalesce(Sum(_shares(old_rate)), Value(ZERO)), "new": Coalesce(Sum(_shares(new)), Value(ZERO))}
    per_employer = (
        lines.values("statement__employer__account_number", "statement__employer__name_th")
        .annotate(people=Count("id"), **sums)
        .order_by("-people", "statement__employer__account_number")[:SAMPLE]
    )
    total = lines.aggregate(people=Count("id"), employers=Count("statement__employer", distinct=True), **sums)
    rows = tuple(
        (
            f"{row['statement__employer__account_number']} {row['statement__employer__name_th']}",
            row["people"],
            money_display(row["old"]),
            money_display(row["new"]),
            money_display(row["new"] - row["old"]),
        )
        for row in per_employer
    )
    summary = lazy_format(
        _(
            "The statements of %(period)s (the last wage period filed in this scope), %(employers)s employers,"
            " %(people)s employees: employee and employer contributions under the row in force from %(old_from)s"
            " and under the new row."
        ),
        {
            "period": month_numeric_lazy(last),
            "employers": total["employers"],
            "people": total["people"],
            "old_from": date_lazy(old.valid_from),
        },
    )
    return Preview(
        summary=summary,
        columns=(_("employer"), _("employees"), _("now"), _("with the change"), _("difference")),
        rows=rows,
        totals=(
            _("Every employer of the scope"),
            total["people"],
            money_display(total["old"]),
            money_display(total["new"]),
            money_display(total["new"] - total["old"]),
        ),
    )


TABLES = (
    RuleTable(
        model=ContributionRate,
        area=AREA,
        scope=("province",),
        fields=("employee_rate", "employer_rate", "government_rate", "wage_floor", "wage_ceiling"),
        check=_rate_check,
        # The national row must always exist; a province's row is a temporary override.
        continuous=lambda scope: scope.get("province") is None,
        monthly=True,
        preview=rate_preview,
        effect=WAGE_PERIODS,
        order=10,
    ),
    RuleTable(
        model=VoluntaryRate,
        area=AREA,
        fields=("section39_base", "section39_rate", "section39_government"),
        check=lambda values: (
            percent_range(values, ("section39_rate",))
            + at_least(values, ("section39_base",), Decimal("0.01"))
            + at_least(values, ("section39_government",), ZERO)
        ),
        monthly=True,
        effect=_(
            "Applies to the Section 39 payments of the months it covers. A payment already made keeps its amount."
        ),
        order=11,
    ),
    RuleTable(
        model=Section40Option,
        area=AREA,
        scope=("option",),
        fields=("person_amount", "government_amount", "description"),
        check=lambda values: (
            at_least(values, ("person_amount", "government_amount"), ZERO) + at_least(values, ("option",), 1)
        ),
        monthly=True,
        effect=_(
            "Applies to the Section 40 payments of the months it covers. A payment already made keeps its amount."
        ),
        order=12,
    ),
    RuleTable(
        model=SurchargeRule,
        area=AREA,
        fields=("due_day", "monthly_rate", "started_month_counts"),
        check=lambda values: (
            percent_range(values, ("monthly_rate",), high=Decimal(5))
            + (
                [("due_day", _("The due day must be between 1 and 28."))]
                if values.get("due_day") is not None and not 1 <= values["due_day"] <= 28
                else []
            )
        ),
        monthly=True,
        effect=_(
            "Applies to the surcharge of the wage periods it covers, when a payment is taken. A payment already"
            " made keeps the surcharge it paid."
        ),
        order=13,
    ),
    RuleTable(
        model=CollectionRule,
        area=AREA,
        fields=("voluntary_max_months", "over_age_years", "wage_outlier_factor", "wage_history_months"),
        check=lambda values: (
            at_least(values, ("voluntary_max_months", "over_age_years", "wage_history_months"), 1)
            + at_least(values, ("wage_outlier_factor",), Decimal("1.01"))
        ),
        monthly=True,
        effect=_(
            "Applies to the voluntary payments and the back office's cross-checks of the wage periods it covers."
            " Findings already made stay."
        ),
        order=14,
    ),
)
