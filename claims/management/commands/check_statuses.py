"""Report claims whose stored verdict differs from what the rules compute now."""

from django.core.management.base import BaseCommand, CommandError

from claims.selectors import claims_drift
from claims.services import claims_recompute_status


class Command(BaseCommand):
    help = (
        "List every claim whose stored status, reason, rules version or counts "
        "differ from a fresh computation; exit 1 if any do. --fix recomputes them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Recompute and store the drifted claims."
        )

    def handle(self, *args, fix: bool, **options):
        drifted = claims_drift()
        for claim, diff in drifted:
            self.stdout.write(f"{claim.slug}:")
            for name, (stored, computed) in diff.items():
                self.stdout.write(f"  {name}: stored {stored!r}, computed {computed!r}")
        if not drifted:
            self.stdout.write("Every claim's stored verdict matches the rules.")
            return
        if fix:
            fixed = claims_recompute_status(claim_ids=[c.pk for c, _ in drifted])
            self.stdout.write(f"Recomputed {fixed} claim(s).")
            return
        raise CommandError(
            f"{len(drifted)} claim(s) drifted from the rules; run with --fix."
        )
