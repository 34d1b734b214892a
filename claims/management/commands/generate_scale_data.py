"""Generate (or clear) a large, reproducible data set for benchmarks."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bench.scale_data import scale_data_clear, scale_data_generate


class Command(BaseCommand):
    help = (
        "Generate reviews, topics, claims, evidence and publications at scale, the "
        "same seed giving the same data; --clear deletes them (and only them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Default: 1.")
        parser.add_argument("--claims", type=int, default=20_000)
        parser.add_argument("--evidence", type=int, default=200_000)
        parser.add_argument(
            "--publications",
            type=int,
            default=60_000,
            help="Including one per review, which the review is about.",
        )
        parser.add_argument(
            "--reviews",
            type=int,
            help="Each with 12-16 topics (default: one per 200 claims).",
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Delete the generated data (PMIDs from 90000001, slugs 'scale-').",
        )

    def handle(self, *args, clear: bool, verbosity: int, **options):
        if clear:
            deleted = scale_data_clear()
            counts = ", ".join(f"{n:,} {kind}" for kind, n in deleted.items() if n)
            self.stdout.write(f"Deleted {counts or 'nothing'}.")
            return
        try:
            report = scale_data_generate(
                seed=options["seed"],
                claims=options["claims"],
                evidence=options["evidence"],
                publications=options["publications"],
                reviews=options["reviews"],
                progress=self.stdout.write if verbosity else lambda message: None,
            )
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        self.stdout.write(report.summary())
