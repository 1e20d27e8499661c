"""Signals accounts sends to the apps above it. accounts may not import those apps (it sits
below them), so what they hold about a user reaches accounts through these; each receiver
lives in its own app and is connected in its AppConfig.ready() (blog.comments answers both
in blog/comments/receivers.py).

user_data_export(sender=User, user)
    Sent by accounts.services.export_data. Each receiver returns a dict of sections for the
    export (section name -> JSON-serialisable data about `user` that its app holds, e.g.
    {"comments": [...], "subscriptions": [...]}); the sections are added after the account's
    own, in the order the receivers were connected. A receiver that is not connected leaves
    its data out of the export (tests/blog/comments/test_receivers.py checks it is).

user_data_erase(sender=User, user, emails)
    Sent by accounts.services.erase_commenter inside its transaction, before the account is
    closed: `user` still has its name and addresses, and `emails` is the set of every address
    of the account (User.email and allauth's EmailAddress rows; possibly empty). Each receiver
    removes or anonymises what its app holds about that person; one that raises undoes the
    whole erasure. Return values are ignored.
"""

from django.dispatch import Signal

user_data_export = Signal()
user_data_erase = Signal()
