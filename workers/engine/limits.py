"""Resource limits the APK gate enforces on untrusted uploads.

Every limit is checked against bytes actually read or inflated, never against sizes an
archive declares about itself, so a lying header cannot make the gate spend more than
these budgets.
"""

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


@dataclass(frozen=True)
class GateLimits:
    """Budgets for one gate run; the defaults fit every real app we have seen with room to spare.

    - ``max_file_bytes`` (1 GiB): Play caps a base APK's download far below this; the
      service should not spend more on one upload.
    - ``max_entries`` (65,000): a classic zip holds at most 65,535 entries; large real apps
      have around 10,000. Anything beyond is an attack on per-entry bookkeeping.
    - ``max_entry_bytes`` (1 GiB) and ``max_total_bytes`` (2 GiB): inflated bytes for one
      entry and for the whole archive.
    - ``max_ratio`` (200) once an entry has inflated ``ratio_floor_bytes`` (1 MiB): deflate
      tops out near 1032:1, real assets rarely exceed 20:1; the floor spares small files of
      zeros whose ratio is high but harmless.
    - ``max_name_bytes`` (1,024): Android's own path limits are 4,096 for a whole path.
    - ``max_manifest_bytes`` (8 MiB): the manifest is the one entry held in memory whole.
    - ``max_resources_bytes`` (64 MiB): ``resources.arsc`` is read whole to check resource
      names; the largest real tables are around 20 MiB.
    - ``max_seconds`` (120): wall time for the whole check.
    """

    max_file_bytes: int = 1 * GIB
    max_entries: int = 65_000
    max_entry_bytes: int = 1 * GIB
    max_total_bytes: int = 2 * GIB
    max_ratio: int = 200
    ratio_floor_bytes: int = 1 * MIB
    max_name_bytes: int = 1024
    max_manifest_bytes: int = 8 * MIB
    max_resources_bytes: int = 64 * MIB
    max_seconds: float = 120.0
    chunk_bytes: int = 1 * MIB
