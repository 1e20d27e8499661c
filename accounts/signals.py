"""Signals accounts sends to the apps above it. accounts may not import those apps (it sits
below them), so what they hold about a user, and where a comment form lives, reach accounts
through these; each receiver lives in its own app and is connected in its AppConfig.ready()
(blog.comments answers all five in blog/comments/receivers.py).

user_data_export(sender=User, user, emails)
    Sent by accounts.services.export_data; `emails` are the account's verified addresses
    (accounts.services.verified_emails, lower case): what was left with those as a guest is
    the user's too; an address merely typed is not. Each receiver returns a dict of sections for the
    export (section name -> JSON-serialisable data about `user` that its app holds, e.g.
    {"comments": [...], "subscriptions": [...]}); the sections are added after the account's
    own, in the order the receivers were connected. A receiver that is not connected leaves
    its data out of the export (tests/blog/comments/test_receivers.py checks it is).

user_data_erase(sender=User, user, emails)
    Sent by accounts.services.erase_commenter inside its transaction, before the account is
    closed: `user` still has its name and addresses, and `emails` is the set of the account's
    verified addresses (accounts.services.verified_emails; possibly empty), never one merely
    typed (signing up with someone else's address must not erase their comments). Each receiver
    removes or anonymises what its app holds about that person; one that raises undoes the
    whole erasure. Return values are ignored.

user_profile_sections(sender=User, user, request)
    Sent by the profile page (accounts.views.profile) of the signed-in `user`. Each receiver
    returns the HTML of one or more <section>s about what its app holds for that user
    (e.g. "Your comments"), or "" for none; they appear between the linked accounts and the
    data export, in the order the receivers were connected. The HTML must be marked safe,
    as render_to_string's result is: a plain str is escaped like any other text.

user_picture_stored(sender=User, user_id)
    Sent by accounts.pictures.picture_store (in the worker) once the user's provider picture
    is stored on our origin and is their `avatar_url`. A receiver whose cached pages show
    that user's avatar renders them again (blog.comments: the threads of the posts the user
    commented on). Return values are ignored.

comment_form_page(sender=None, post_id)
    Sent by the login-to-comment views (accounts.views) with the `comment_post_ID` of the
    comment form a reader submitted (an int, not checked against anything). The receiver that
    knows a post with that id on which readers comment returns the path of its page (the
    form is at path + "#respond"); every other returns None. No answer means no such post:
    the views say so instead of starting a login. The draft kept meanwhile is keyed by the
    id and put back by the comments app (accounts.social.pop_draft).
"""

from django.dispatch import Signal

user_data_export = Signal()
user_data_erase = Signal()
user_profile_sections = Signal()
comment_form_page = Signal()
user_picture_stored = Signal()
