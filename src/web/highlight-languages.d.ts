// The part of highlight.js the server calls (see highlight-languages.js for why it is declared here).
declare const hljs: {
  highlight(code: string, options: { language: string; ignoreIllegals: boolean }): { value: string };
  getLanguage(name: string): object | undefined;
};
export default hljs;
