"""The casebook MkDocs plugin: wires MkDocs' build hooks to the core, and nothing else."""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from .catalogue import load_catalogue
from .config import CasebookConfig
from .export import EXPORT_URI, case_studies_json
from .generate import (
    CATALOGUE_URI,
    POLICY_INDEX_URI,
    case_study_footer,
    case_study_panel,
    catalogue_page,
    policy_footer,
    policy_index_page,
    taxonomy_pages,
)
from .model import Catalogue

log = get_plugin_logger(__name__)


class CasebookPlugin(BasePlugin[CasebookConfig]):
    catalogue: Catalogue | None = None

    def on_files(self, files: Files, /, *, config) -> Files:
        if not self.config.enabled:
            return files
        self.catalogue, problems = load_catalogue(Path(config.docs_dir))
        for problem in problems:
            log.warning(str(problem))  # under --strict, any warning fails the build
        generated = taxonomy_pages(self.catalogue)
        generated.append(catalogue_page(self.catalogue))
        generated.append(policy_index_page(self.catalogue))
        for page in generated:
            if files.get_file_from_path(page.src_uri) is None:  # an author's page wins
                files.append(File.generated(config, page.src_uri, content=page.markdown))
        files.append(File.generated(config, EXPORT_URI, content=case_studies_json(self.catalogue)))
        return files

    def on_page_markdown(self, markdown: str, /, *, page, config, files) -> str:
        if not self.config.enabled or self.catalogue is None:
            return markdown
        src_uri = page.file.src_uri
        case = self.catalogue.case_study_at(src_uri)
        if case is not None:
            return (
                case_study_panel(self.catalogue, case)
                + markdown
                + case_study_footer(
                    self.catalogue, case, self.config.related_limit, site_url=config.site_url or ""
                )
            )
        policy = self.catalogue.policy_at(src_uri)
        if policy is not None:
            return markdown + policy_footer(self.catalogue, policy)
        return markdown


__all__ = ["CasebookPlugin", "CATALOGUE_URI", "POLICY_INDEX_URI"]
