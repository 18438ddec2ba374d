// Editor validation of front matter as you type: VS Code's "remark" extension
// (unifiedjs.vscode-remark, recommended in .vscode/extensions.json) reads this file and
// checks each case study and policy page against the JSON Schemas that `casebook schema`
// generates from the same rules and taxonomy.yml as `casebook check`. The same check from
// a terminal: `npx remark --frail content/case_studies content/policy`.
// The schema covers shape and vocabulary; `casebook check` remains the full check
// (links, policies that exist, duplicates, hostile HTML, dates not in the future).
import remarkFrontmatter from "remark-frontmatter";
import remarkLintFrontmatterSchema from "remark-lint-frontmatter-schema";

export default {
  plugins: [
    remarkFrontmatter,
    [
      remarkLintFrontmatterSchema,
      {
        schemas: {
          "./schemas/case-study.schema.json": ["./content/case_studies/*.md"],
          "./schemas/policy-page.schema.json": ["./content/policy/*.md"],
        },
      },
    ],
  ],
};
