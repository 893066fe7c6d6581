import asyncio

import etl.pipeline


async def main():
    reports = []
    for name in ("alpha", "beta"):
        reports.append(etl.pipeline.build_report(name))
    print("\n".join(reports))


if __name__ == "__main__":
    asyncio.run(main())
