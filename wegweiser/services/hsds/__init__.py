"""Open Referral HSDS 3.0: export of the published directory, import of what maps.

- ``ids``: stable UUIDs (uuid5) for every record, from our external ids and slugs.
- ``export``: published offers as HSDS services, organisations as HSDS organizations.
- ``convert``: an HSDS service (from anyone) as a record of our import format, with a list of
  what our model cannot hold.
- ``sources``: reading HSDS documents (our export, the API's pages, single records) and the
  Ohana API's CSV folders (San Mateo County sample) as HSDS services.
- ``importing``: the import itself, through the JSON import's validation and operations.

Fields HSDS has no place for travel in the extension object ``x-wegweiser`` (see README).
"""
EXTENSION = "x-wegweiser"


def data_licence(config) -> dict:
    """The licence of the directory's data, as exports and feeds state it."""
    return {"name": config["WEGWEISER_DATA_LICENCE"], "url": config["WEGWEISER_DATA_LICENCE_URL"]}
