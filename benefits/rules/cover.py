"""Whether the person was insured on the event date (the section spell, or the cover after
leaving), and alive."""

from django.utils.translation import gettext_lazy as _

from benefits.rules.history import COUNTED_SECTIONS
from benefits.rules.working import refuse
from registry.selectors import Section
from sso.core.formats import date_lazy
from sso.core.months import date_add_months


def insured(person, event_date, p, work, *, grace: bool):
    """The Section 33 or 39 spell that covers the event, or (with `grace`: sickness, dental,
    maternity, invalidity, death) the last one when it ended within the cover after leaving."""
    spells = list(person.section_spells.order_by("valid_from"))
    if not spells:
        work.lack(_("The registry has no section history for this person."))
    current = next((spell for spell in spells if spell.covers(event_date)), None)
    if current is not None and current.section in COUNTED_SECTIONS:
        work.line(
            _("Insured under Section %(section)s on %(day)s."), section=current.section, day=date_lazy(event_date)
        )
        return current
    ended = [s for s in spells if s.section in COUNTED_SECTIONS and s.valid_to is not None and s.valid_to < event_date]
    last = max(ended, key=lambda spell: spell.valid_to, default=None)
    if grace and last is not None:
        months = int(p("cover_after_leaving.months"))
        until = date_add_months(last.valid_to, months)
        if event_date <= until:
            work.line(
                _("Insurance ended on %(ended)s; covered for %(months)s months after, until %(until)s."),
                ended=date_lazy(last.valid_to),
                months=months,
                until=date_lazy(until),
            )
            return last
        work.line(
            _("Insurance ended on %(ended)s; the cover of %(months)s months after ended on %(until)s."),
            ended=date_lazy(last.valid_to),
            months=months,
            until=date_lazy(until),
        )
    if current is not None and current.section == Section.S40:
        refuse(
            "section40",
            _("Insured under Section 40 on %(day)s: Section 40 has its own benefits."),
            day=date_lazy(event_date),
        )
    refuse("not_insured", _("Not insured under Section 33 or 39 on %(day)s."), day=date_lazy(event_date))


def alive_check(person, event_date, work) -> None:
    if person.died_on is not None and person.died_on < event_date:
        work.lack(
            _("The registry records the death on %(died)s, before the event date %(day)s."),
            died=date_lazy(person.died_on),
            day=date_lazy(event_date),
        )
