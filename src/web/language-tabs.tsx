// Tabs of languages as plain links (each a page of its own, so they work without JavaScript): the
// README's, the install commands' and the API docs' language choice.
import { h, type RawHtml } from "./jsx";
import { languageLabel } from "../api-docs/content";
import type { Language } from "../api-docs/languages";

export function LanguageTabs({ languages, current, hrefFor, label }: { languages: readonly Language[]; current: Language; hrefFor: (lang: Language) => string; label: string }): RawHtml {
  return (
    <nav aria-label={label}>
      <ul class="tabs">
        {languages.map((lang) => (
          <li>
            <a href={hrefFor(lang)} aria-current={lang === current ? "page" : undefined}>
              {languageLabel(lang)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
