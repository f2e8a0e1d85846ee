"""Hydra search-path plugin: makes ``+recipe=critic_r1`` resolve in any Hydra app, verl's included.

Hydra imports every module under the ``hydra_plugins`` namespace at start-up, so this file must
stay import-light (no torch, no verl).
"""

from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.search_path_plugin import SearchPathPlugin


class CriticR1SearchPathPlugin(SearchPathPlugin):
    """Appends our config package after the app's own, so recipes add to verl's config, never shadow it."""

    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        search_path.append(provider="critic-r1-ext", path="pkg://critic_r1_ext.hydra_configs")
