"""Import and export. Placeholder views; replaced by the import implementation."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


company_import = import_template = export_csv = export_xlsx = _todo
