"""Reading views: home, permalinks, pages, archives, search. Thin: a selector and a template."""

import datetime
import hashlib
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Max, Q, Sum, prefetch_related_objects
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from blog import page_cache, selectors, seo
from blog.models import Category, LegacyPath, Post, Tag
from config.helpers import fill_deferred

POSTS_PER_PAGE = 10


def _paginate(queryset, number):
    try:
        return Paginator(queryset, POSTS_PER_PAGE).page(number)
    except (InvalidPage, ValueError, TypeError):
        raise Http404("No such page") from None


def _page_url(base: str, number: int) -> str:
    """WordPress's paging URLs: the archive itself for page 1, `<archive>page/N/` after."""
    return base if number == 1 else f"{base}page/{number}/"


def _listing(request, queryset, *, title: str, template="blog/post_list.html", page=None, extra=None):
    """A paged list of posts at `/<archive>/page/N/`. The old `?page=N` answers 301 there
    (other query parameters kept); search results page by `?page=N&s=...` as before.
    Anonymous readers get the page from the page cache (blog.page_cache), keyed by a
    generation that changes whenever any post does."""
    search_term = (extra or {}).get("search_term")
    base = request.path if page is None else request.path[: request.path.rindex("page/")]
    asked = request.GET.get("page")
    if asked is not None and search_term is None and page is None:
        if not asked.isdigit() or int(asked) < 1:
            raise Http404("No such page")
        query = request.GET.copy()
        del query["page"]
        target = _page_url(base, int(asked)) + (f"?{query.urlencode()}" if query else "")
        return HttpResponsePermanentRedirect(target)
    if page == 1:
        return HttpResponsePermanentRedirect(base)

    def respond():
        page_obj = _paginate(queryset, page or asked or 1)
        if search_term is None:
            links = {n: _page_url(base, n) for n in (page_obj.number - 1, page_obj.number + 1) if n >= 1}
        else:
            links = {n: f"?page={n}&s={quote(search_term)}" for n in (page_obj.number - 1, page_obj.number + 1)}
        context = {
            "page_obj": page_obj,
            "title": title,
            "older_url": links.get(page_obj.number + 1) if page_obj.has_next() else None,
            "newer_url": links.get(page_obj.number - 1) if page_obj.has_previous() else None,
            **(extra or {}),
        }
        return render(request, template, context)

    if not page_cache.is_anonymous(request):
        return respond()
    return page_cache.serve(request, page_cache.archive_key(request, _archive_generation()), respond,
                            seconds=page_cache.ARCHIVE_SECONDS)


def _archive_generation() -> str:
    """Changes whenever any post is published, edited, updated or commented (one query)."""
    state = Post.objects.aggregate(n=Count("pk"), modified=Max("modified_at"), published=Max("published_at"),
                                   versions=Sum("comments_version"))
    return hashlib.blake2b(repr(sorted(state.items())).encode(), digest_size=8).hexdigest()


def home(request, page: int | None = None):
    term = request.GET.get("s")
    if term is not None:
        return search(request, term)
    wp_id = request.GET.get("p") or request.GET.get("page_id")
    if wp_id is not None:
        return wordpress_id_redirect(request, wp_id)
    return _listing(request, selectors.home_posts(), title="", template="blog/home.html", page=page)


def search(request, term: str):
    """Any characters work: NUL (refused by PostgreSQL) is dropped, LIKE wildcards are
    escaped by the ORM, and the term is shown back autoescaped."""
    term = term.replace("\x00", "").strip()[:200]
    qs = selectors.public_posts()
    if term:
        qs = qs.filter(Q(title__icontains=term) | Q(body__icontains=term) | Q(excerpt__icontains=term))
    else:
        qs = qs.none()
    return _listing(request, qs, title=f"Search results for “{term}”", extra={"search_term": term})


def _day_range(year: int, month: int = 1, day: int = 1, *, unit: str):
    try:
        start = datetime.datetime(year, month, day, tzinfo=timezone.get_current_timezone())
    except ValueError:
        raise Http404("No such date") from None
    if unit == "day":
        end = start + datetime.timedelta(days=1)
    elif unit == "month":
        end = start.replace(year=year + month // 12, month=month % 12 + 1)
    else:
        end = start.replace(year=year + 1)
    return start, end


def _date_archive(start, end):
    """Posts in [start, end); a date with none is a 404, as in WordPress."""
    qs = selectors.public_posts().filter(published_at__gte=start, published_at__lt=end)
    if not qs.exists():
        raise Http404("No posts on that date")
    return qs


def year_archive(request, year: int, page: int | None = None):
    start, end = _day_range(year, unit="year")
    return _listing(request, _date_archive(start, end), title=f"Year: {year}", page=page)


def month_archive(request, year: int, month: int, page: int | None = None):
    start, end = _day_range(year, month, unit="month")
    return _listing(request, _date_archive(start, end), title=f"Month: {start:%B %Y}", page=page)


def day_archive(request, year: int, month: int, day: int, page: int | None = None):
    start, end = _day_range(year, month, day, unit="day")
    return _listing(request, _date_archive(start, end), title=f"Day: {start.day} {start:%B %Y}", page=page)


def category(request, slug: str, page: int | None = None):
    """A category's archive includes its subcategories' posts, as in WordPress."""
    cat = get_object_or_404(Category, slug=slug)
    return _listing(request, selectors.category_posts(cat), title=f"Category: {cat.name}", page=page,
                    extra={"archive_description": cat.description, "archive_feed": f"{cat.get_absolute_url()}feed/"})


def tag(request, slug: str, page: int | None = None):
    tg = get_object_or_404(Tag, slug=slug)
    return _listing(request, selectors.public_posts().filter(tags=tg), title=f"Tag: {tg.name}", page=page,
                    extra={"archive_feed": f"{tg.get_absolute_url()}feed/"})


def author(request, username: str, page: int | None = None):
    """Only people who have published have an archive: any other name (a commenter, an
    author with drafts only, nobody) is the same 404, so login names cannot be probed."""
    user = get_object_or_404(get_user_model(), username=username)
    if not selectors.public_posts().filter(author=user).exists():
        raise Http404("No such author")
    return _listing(request, selectors.public_posts().filter(author=user), title=f"Author: {user}", page=page,
                    extra={"archive_author": user, "archive_feed": f"/author/{user.username}/feed/"})


def post_detail(request, year: int, month: int, day: int, slug: str, cpage: int | None = None):
    start, end = _day_range(year, month, day, unit="day")
    post = get_object_or_404(
        Post.objects.posts().visible_to(request.user).select_related("author", "featured_image"),
        slug=slug,
        published_at__gte=start,
        published_at__lt=end,
    )

    def respond():
        prefetch_related_objects([post], "categories", "tags", "featured_image__renditions")
        return render_post(request, post, cpage=cpage)

    if not (page_cache.is_anonymous(request) and post.is_public):
        return respond()
    response = page_cache.serve(request, page_cache.post_key(request, post), respond)
    response.page_post = post.pk  # page_cache.EarlyPageMiddleware may answer the next GET itself
    return response


def render_post(request, post: Post, *, cpage: int | None = None, status: int = 200,
                extra_context: dict | None = None):
    """The post (or page) page. `cpage` is the comment page asked for; `extra_context`
    reaches the template, where the `{% comment_section post %}` tag of the comments app
    picks up a refused comment form (`comment_form`, `comment_error`)."""
    context = {
        "post": post,
        "updates": list(post.updates.all()),
        "open_graph": seo.open_graph(request, post),
        "meta_description": seo.description(post),
        "json_ld": seo.json_ld_script(seo.article_json_ld(request, post)) if post.kind == Post.Kind.POST else "",
        "is_preview": not post.is_public,
        "comment_cpage": cpage,
        **(extra_context or {}),
    }
    request.deferred_html = {}  # the comment thread is spliced in once (config.helpers.defer_html)
    return fill_deferred(request, render(request, "blog/post_detail.html", context, status=status))


def page_or_legacy(request, slug: str):
    page = (
        Post.objects.pages().visible_to(request.user).select_related("author", "featured_image")
        .prefetch_related("featured_image__renditions").filter(slug=slug).first()
    )
    if page is None:
        return legacy_redirect(request, path=f"{slug}/")
    return render_post(request, page)


def legacy_redirect(request, path: str):
    """Old URLs of imported content answer 301 to the permalink."""
    candidates = {"/" + path, "/" + path.rstrip("/"), "/" + path.rstrip("/") + "/"}
    legacy = LegacyPath.objects.filter(path__in=candidates).select_related("post").first()
    if legacy and legacy.post.is_public:
        return HttpResponsePermanentRedirect(legacy.post.get_absolute_url())
    raise Http404("No such page")


def wordpress_id_redirect(request, wp_id: str):
    """WordPress's default links (`/?p=123`, `/?page_id=2`) of imported content: 301 to the
    permalink, by the imported id."""
    if not wp_id.isdigit():
        raise Http404("No such post")
    post = Post.objects.published().filter(wp_id=int(wp_id)).first()
    if post is None:
        return legacy_redirect(request, path=f"?p={wp_id}")
    return HttpResponsePermanentRedirect(post.get_absolute_url())


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
