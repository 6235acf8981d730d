"""Print bench/results.json as the Markdown table of the README's Performance section."""

import json

from bench import BENCH_DIR


def cell(value, digits=1):
    if value is None or value == "":
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def main():
    results = json.loads((BENCH_DIR / "results.json").read_text())
    print("| path | req/s | p50 ms | p99 ms | errors | ratio to ceiling | SQL/request |")
    print("|---|---|---|---|---|---|---|")
    for row in results["paths"]:
        print(
            f"| {row['path']} | {cell(row.get('rps'))} | {cell(row.get('p50Ms'))} | {cell(row.get('p99Ms'))} "
            f"| {row['errors']} | {cell(row.get('ratio'), 3)} | {cell(row.get('sql'))} |"
        )
    cb, ex, burst, growth = results["callback"], results["export"], results["burst"], results["costGrowth"]
    print()
    print(
        f"- callback: {cb['requestsSent']} requests for {cb['distinctKeysSent']} MsgKeys (each sent twice), "
        f"{cb['acknowledged']} acknowledged, {cb['refused']} refused; {cb['distinctKeysStored']} stored, "
        f"{cb['lost']} lost, {cb['doubled']} doubled"
    )
    print(
        f"- export of 10 000 messages: {ex['seconds']} s (median of {len(ex['runs']) - 1}; first run "
        f"{ex['firstRunSeconds']} s), worker RSS +{ex['peakGrowthMb']} MB at peak, "
        f"+{ex['retainedGrowthMb']} MB retained"
    )
    print(
        f"- burst: {burst['inProgress']} IN_PROGRESS / {burst['waiting']} WAITING, "
        f"p50 {burst['p50Ms']} ms, p99 {burst['p99Ms']} ms"
    )
    print(
        f"- cost growth: consultlist page 1 p50 {growth['p50MsLarge']} ms at {growth['large']:,} conversations, "
        f"{growth['p50MsSmall']} ms at {growth['small']:,}: ×{growth['factor']}"
    )


if __name__ == "__main__":
    main()
