"""Media (app label `media`): uploaded images and their renditions, embeds and their
privacy-first facades, and the shortcodes that place them in a post body.

Read it in this order; imports run one way, up this list never down (import-linter checks
it, pyproject.toml):

- models, signals, validation: the rows; what media tells the layers above
  (renditions_ready, embed_fetched); the checks every upload passes (pure).
- renditions, html: the resized copies the worker makes; the <picture>/figure HTML.
- embeds, shortcodes: finders, facades and the oEmbed fetch; the one shortcode grammar
  and its renderer. Both only read while rendering.
- tasks: thin Celery wrappers around renditions_make and embed_fetch.
- services: the writes a request makes (image_create, image_delete, renditions_queue,
  embeds_ensure), which queue those tasks after commit.
- admin, forms, templatetags, management, apps: the ways in.

media imports accounts and config only. The blog hears from it through media.signals.
"""
