"""Packaged data: the seed ElasticQuotaTree used by ``invsched demo``."""
