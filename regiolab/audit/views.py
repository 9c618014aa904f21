"""One change-history page for every audited object, for coordinators (regiolab/audit/services.py)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.text import capfirst

from regiolab.permissions import login_and_permission_required

from . import services as audit

PAGE_SIZE = 50
ALL, ONLY_THIS = "all", "this"


@login_and_permission_required("audit.view_change_history")
def object_history(request, app_label: str, model_name: str, pk: int):
    model = audit.audited_model(app_label, model_name)
    if model is None:
        raise Http404("Not an audited kind of object.")
    spec = audit.AUDITED[model]
    children = audit.child_specs(model)

    # ?show=all (default): the object with its children; ?show=this; ?show=<child model name>.
    show = request.GET.get("show", ALL)
    by_name = {child._meta.model_name: (child, fk) for child, fk in children}
    if show == ONLY_THIS:
        entries = audit.entries_for(model, pk)
    elif show in by_name:
        entries = audit.entries_for(model, pk, children=[by_name[show]], include_self=False)
    else:
        show = ALL
        entries = audit.entries_for(model, pk, children=children)

    obj = model._default_manager.select_related(*spec.repr_related).filter(pk=pk).first()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    if obj is None and not page.object_list:
        raise Http404("No such object and no history of it.")
    rows = audit.history_rows(list(page.object_list))
    return render(
        request,
        "audit/history.html",
        {
            "object": obj,
            "object_title": str(obj) if obj is not None else _deleted_title(rows, model, pk),
            "object_type": capfirst(model._meta.verbose_name),
            "page_obj": page,
            "rows": rows,
            "show": show,
            "filters": [
                (child._meta.model_name, capfirst(child._meta.verbose_name_plural))
                for child, _fk in children
            ],
        },
    )


def _deleted_title(rows, model, pk) -> str:
    """A deleted object's name as its own entries on the page recorded it."""
    for row in rows:
        if row.entry.content_type.model_class() is model and row.entry.object_id == pk:
            return row.entry.object_repr
    return f"#{pk}"
