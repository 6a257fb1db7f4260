from django.core.management.base import BaseCommand, CommandError

from modo import rollups


class Command(BaseCommand):
    help = (
        "Fills the analytics page's daily roll-ups (modo/rollups.py) for the last DAYS days, each up to a few "
        "minutes ago; days already complete are left alone. Beat runs it every 10 minutes for 90 days; run it "
        "with a larger --days to backfill a longer history, with --rebuild after changing what a roll-up counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=rollups.BACKFILL_DAYS,
                            help=f"How many days back, today included (default {rollups.BACKFILL_DAYS}).")
        parser.add_argument("--rebuild", action="store_true", help="Compute every day of the range again.")
        parser.add_argument("--dry-run", action="store_true", help="List the days each roll-up is missing, write nothing.")

    def handle(self, *args, days, rebuild=False, dry_run=False, **options):
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        if dry_run:
            for name, missing in rollups.pending(days=days).items():
                shown = f"{missing[0]} … {missing[-1]}" if len(missing) > 1 else "".join(map(str, missing))
                self.stdout.write(f"{name}: {len(missing)} day(s) to fill{' (' + shown + ')' if missing else ''}")
            return
        for name, written in rollups.fill(days=days, rebuild=rebuild).items():
            self.stdout.write(f"{name}: {written} {'window(s) built' if name in rollups.windows() else 'day(s) written'}")
