"""factory_boy factory for Fusion Sets (rows written without a scope check)."""

import factory

from fusionsets.documents import default_document
from fusionsets.models import FusionSet
from tests.console.factories import TenantFactory


class FusionSetFactory(TenantFactory):
    class Meta:
        model = FusionSet

    name = factory.Sequence(lambda n: f"Fusion Set {n}")
    settings = factory.LazyFunction(default_document)
