// highlight.js's core with the languages the pages highlight, registered once. Plain JavaScript on
// purpose: highlight.js's type declarations pull in the DOM library, which clashes with the Workers
// types, so highlight-languages.d.ts declares the little the server calls.
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import csharp from "highlight.js/lib/languages/csharp";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

for (const [name, language] of Object.entries({ bash, csharp, go, java, javascript, json, python, typescript, xml, yaml })) hljs.registerLanguage(name, language);

export default hljs;
