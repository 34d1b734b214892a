"""Posting admin forms as a browser would: what the page holds, then changes."""

from django.test import Client


def form_data(page) -> dict[str, object]:
    """The POST an admin change or revert form sends unchanged, read from its
    page: the form's fields and those of its inlines with their management forms."""
    forms = [page.context["adminform"].form]
    for inline in page.context.get("inline_admin_formsets") or []:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, object] = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue  # what a browser leaves out: empty and unticked
            data[field.html_name] = "on" if value is True else value
    return data


def post_form(client: Client, url: str, **changes: object):
    """Open an admin form and send it back with some fields changed; the GET's
    answer when it is not a form (a 403, a 404)."""
    page = client.get(url)
    if page.status_code != 200:
        return page
    return client.post(url, form_data(page) | changes)
