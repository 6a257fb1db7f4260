from django.core.management.base import BaseCommand

from aiproviders import reports


class Command(BaseCommand):
    help = "Prints estimated vendor cost, calls, errors, tokens and credits per provider and model."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, days=7, **options):
        rows = reports.cost_report(days=days)
        if not rows:
            self.stdout.write(f"No AI usage in the last {days} day(s).")
            return
        header = f"{'provider':<18} {'model':<28} {'calls':>7} {'errors':>7} {'tokens in':>10} {'tokens out':>10} {'seconds':>8} {'credits':>8} {'cost USD':>10}"
        self.stdout.write(f"AI usage, last {days} day(s)\n{header}\n{'-' * len(header)}")
        total = 0
        for r in rows:
            cost = r["cost"] or 0
            total += cost
            self.stdout.write(
                f"{(r['provider__name'] or '?')[:18]:<18} {(r['model__display_name'] or '?')[:28]:<28} {r['calls']:>7} {r['errors']:>7} "
                f"{r['tokens_in'] or 0:>10} {r['tokens_out'] or 0:>10} {r['seconds'] or 0:>8.0f} {r['credits'] or 0:>8} {cost:>10.4f}"
            )
        self.stdout.write(f"{'-' * len(header)}\n{'total':<47}{'':>62}{total:>10.4f}")
