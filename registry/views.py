"""Registry pages: search, the person page, the counter's registration forms."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from registry import selectors


@login_required
@permission_required("registry.view_insuredperson", raise_exception=True)
def search(request):
    query = request.GET.get("q", "").strip()
    persons = list(selectors.person_search(query, request.user)[: selectors.SEARCH_PAGE]) if query else []
    return render(request, "registry/search.html", {"query": query, "persons": persons})
