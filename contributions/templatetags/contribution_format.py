from django import template

from sso.core.formats import BE_OFFSET, EN_MONTHS_ABBR, TH_MONTHS_ABBR, _is_thai

register = template.Library()


@register.filter
def period(value, language=None) -> str:
    """A wage period: ม.ค. 2569 in Thai (B.E.), Jan 2026 in English."""
    if not value:
        return ""
    if _is_thai(language):
        return f"{TH_MONTHS_ABBR[value.month - 1]} {value.year + BE_OFFSET}"
    return f"{EN_MONTHS_ABBR[value.month - 1]} {value.year}"
