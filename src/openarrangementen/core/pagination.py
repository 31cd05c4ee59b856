"""Pages for long lists (STYLE §9a): a fixed page size and a count that stops early.

Counting a million rows costs more than showing fifty. `CappedPaginator` counts at most
`cap` + 1 rows; beyond that the page says "meer dan <cap>" and offers the first
`cap / per_page` pages (filters narrow the list further).
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGE_SIZE = 25
COUNT_CAP = 500


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page: int = PAGE_SIZE, cap: int = COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        # The ids in the list's own order, limited: the database walks the same index as
        # the page itself and stops early (a COUNT(*) would plan for every row).
        return len(self.object_list.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        """At most `cap`, so the last page offered is a full one."""
        return min(self._counted, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._counted > self.cap

    @property
    def count_label(self) -> str:
        """The count for a caption: exact, or "meer dan 10.000"."""
        if self.is_capped:
            return "meer dan " + f"{self.cap:,}".replace(",", ".")
        return str(self.count)

    def count_text(self, singular: str, plural: str) -> str:
        if self.is_capped:
            return f"{self.count_label} {plural}"
        return f"{self.count} {singular if self.count == 1 else plural}"


def page_of(request, queryset, *, per_page: int = PAGE_SIZE, cap: int = COUNT_CAP):
    """The requested page (`?pagina=`), the last one for a number past the end."""
    paginator = CappedPaginator(queryset, per_page=per_page, cap=cap)
    return paginator.get_page(request.GET.get("pagina"))
