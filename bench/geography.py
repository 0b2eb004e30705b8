"""The official national geography: fetch it once with npm, then time its import.

Imported after django.setup().
"""

import subprocess
import tarfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from partners.services import ImportReport, geography_import, read_geography

PACKAGE_SPEC = "@etalab/decoupage-administratif@6.0.0"
TARBALL_NAME = "etalab-decoupage-administratif-6.0.0.tgz"
DATA_FILES = ("communes.json", "epci.json")


@dataclass(frozen=True)
class GeographyFiles:
    communes: Path
    epci: Path
    downloaded: bool  # False when both files came from the cache


@dataclass(frozen=True)
class ImportTiming:
    seconds: float
    communes: int  # current communes read from the files
    epcis: int
    created: int
    updated: int
    unchanged: int

    @property
    def rows(self) -> int:
        return self.communes + self.epcis

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "rows": self.rows, "rows_per_second": self.rows_per_second}


def fetch_package(cache_dir: Path) -> GeographyFiles:
    """data/communes.json and data/epci.json of the npm package, downloaded and extracted once."""
    data_dir = cache_dir / "decoupage-administratif-6.0.0"
    paths = [data_dir / name for name in DATA_FILES]
    if all(p.exists() for p in paths):
        return GeographyFiles(*paths, downloaded=False)

    cache_dir.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(exist_ok=True)
    tarball = cache_dir / TARBALL_NAME
    downloaded = False
    if not tarball.exists():
        # `npm pack` fetches the published tarball from the registry without installing anything.
        subprocess.run(
            ["npm", "pack", PACKAGE_SPEC, "--pack-destination", str(cache_dir), "--silent"],
            cwd=cache_dir,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        downloaded = True
    with tarfile.open(tarball) as archive:
        for name, path in zip(DATA_FILES, paths, strict=True):
            member = archive.extractfile(f"package/data/{name}")
            if member is None:
                raise SystemExit(f"{TARBALL_NAME} ne contient pas data/{name}.")
            partial = path.with_suffix(".json.tmp")  # an interrupted extraction leaves no truncated file
            partial.write_bytes(member.read())
            partial.replace(path)
    return GeographyFiles(*paths, downloaded=downloaded)


def time_national_import(files: GeographyFiles) -> ImportTiming:
    """Time `geography_import` on every current commune and every EPCI (file reading not included)."""
    communes, epcis = read_geography(files.communes, files.epci)
    start = time.perf_counter()
    report: ImportReport = geography_import(communes=communes, epcis=epcis)
    seconds = time.perf_counter() - start
    return ImportTiming(
        seconds=seconds,
        communes=len(communes),
        epcis=len(epcis),
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
    )
