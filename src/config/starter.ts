/** The commented starter config `finops init` writes; it must parse with the config schema (a test checks). */
export const STARTER_CONFIG = `# finops.yaml — configuration for finops (docs: README.md, docs/config.md)
# Every section is optional. Run \`finops report <paths>\` after editing; errors name the key path.

# Time zone for day / week / month boundaries (IANA name). --tz on the command line wins.
timezone: UTC

attribution:
  # Rules run in order. A rule fills only the dimensions that are still empty, so the source's own
  # values and earlier rules win. match keys: provider, model, project, apiKey, user, app, team,
  # workflow, environment, format, tags.<name>. Values are globs (* and ?), or lists of globs.
  rules:
    - match: { project: "proj_support*" }
      set: { team: support, app: helpdesk-bot }
    - match: { tags: { feature: "search*" } }
      set: { team: growth, workflow: search }
    - match: { provider: anthropic, apiKey: "apikey_01Dev*" }
      set: { team: platform, app: claude-code }
  # What app / team / workflow / environment show when nothing filled them.
  default: unattributed

# Budgets: alert at 80 %, hard stop at 100 % unless set (\`finops budget\`, \`--fail-on\` for CI).
budgets:
  - name: support-monthly
    scope: { team: support }
    amount_usd: 500
  # - name: helpdesk-tokens
  #   scope: { app: helpdesk-bot }
  #   period: quarter            # month (default), quarter, fiscal-month with start_day
  #   amount_tokens: 300000000
  #   alert_at: 0.7

# Agent tasks: a task above a ceiling is a runaway (\`finops tasks\`).
tasks:
  ceilings:
    # - workflow: "research-*"
    #   max_steps: 50
    #   max_cost_usd: 5

pricing:
  # An imported price list (from \`finops pricing import FILE --into prices.json\`); relative to this file.
  # catalog: ./prices.json
  overrides:
    # A negotiated discount on list prices (fraction off):
    # - model: "gpt-4o*"
    #   discount: 0.15
    # A private or self-hosted model, in USD per 1M tokens:
    # - model: acme-llm-70b
    #   provider: self-hosted
    #   input: 0.20
    #   output: 0.60
    #   effective_from: 2026-01-01
`;
