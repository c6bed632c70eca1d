import { describe, expect, it } from "vitest";
import {
  MAX_SETTING_CHARS,
  MAX_SETTING_MAP_BYTES,
  namingLanguage,
  enumValueName,
  functionTypeNames,
  LANGUAGES,
  memberName,
  moduleImport,
  moduleOf,
  packageNaming,
  propertyName,
  sdkTypeName,
  typeDisplayName,
  typeName,
  typeRef,
  type Language,
  type LocalRefKind,
  type PackageNaming,
  type TypeContext,
  type TypeSpec,
} from "../../src/api-docs/languages";
import { boundedMemo } from "../../src/api-docs/languages/tokens";
import { skylineSchema, webappSchema } from "../fixtures/api-docs";

type Schema = {
  name: string;
  version?: string;
  publisher?: string;
  repository?: string;
  meta?: { moduleFormat?: string };
  language?: Record<string, unknown>;
  types?: Record<string, { enum?: { name?: string; value: unknown }[] }>;
  resources?: Record<string, { isComponent?: boolean; inputProperties?: Record<string, Prop>; properties?: Record<string, Prop> }>;
};
type Prop = TypeSpec & { language?: Record<string, unknown> };

function naming(schema: Schema): PackageNaming {
  const resources = Object.entries(schema.resources ?? {}).map(([token, r]) => ({ token, isComponent: r.isComponent === true }));
  return packageNaming(schema as unknown as Record<string, unknown>, resources);
}

function context(schema: Schema, input: boolean, required: boolean): TypeContext {
  return {
    input,
    required,
    refKind(token): LocalRefKind {
      const t = schema.types?.[token];
      if (t) return t.enum ? "enum" : "object";
      return schema.resources?.[token] ? "resource" : undefined;
    },
    enumValues(token) {
      return schema.types?.[token]?.enum?.map((e) => e.value);
    },
  };
}

const sky = skylineSchema as unknown as Schema;
const pkg = naming(sky);
const webapp = webappSchema as unknown as Schema;
const webappPkg = naming(webapp);

const INSTANCE = "skyline:compute/instance:Instance";
const BUCKET = "skyline:storage/bucket:Bucket";
const OBJECT = "skyline:storage/buckets/bucketObject:BucketObject";
const PROJECT = "skyline:index/project:Project";

function inputOf(resource: string, prop: string): Prop {
  const p = sky.resources?.[resource]?.inputProperties?.[prop];
  if (!p) throw new Error(`fixture has no input ${prop} on ${resource}`);
  return p;
}

function outputOf(resource: string, prop: string): Prop {
  const p = sky.resources?.[resource]?.properties?.[prop];
  if (!p) throw new Error(`fixture has no output ${prop} on ${resource}`);
  return p;
}

/** One expected spelling per language, in LANGUAGES order. */
type PerLanguage = Record<Language, string>;

function each(expected: PerLanguage, actual: (lang: Language) => string) {
  const got = Object.fromEntries(LANGUAGES.map((lang) => [lang, actual(lang)]));
  expect(got).toEqual(expected);
}

describe("reading naming from a schema", () => {
  it("takes name, version, publisher, repository, language and meta.moduleFormat from the top level", () => {
    const resources = [{ token: INSTANCE }];
    expect(packageNaming(skylineSchema as unknown as Record<string, unknown>, resources)).toEqual({
      name: "skyline",
      version: "2.3.0",
      publisher: "acme",
      repository: "https://github.com/acme/pulumi-skyline",
      // Only the settings the naming rules read (namingLanguage): the fixture's packageReferences, requires, … are left out.
      language: namingLanguage(skylineSchema.language),
      moduleFormat: "(.*)(?:/[^/]*)",
      resources,
    });
  });

  it("keeps of the language block only the settings the naming rules read, strings and maps capped", () => {
    const language = {
      nodejs: { packageName: "@acme/x", junk: "j".repeat(10_000), moduleToPackage: { a: "b", n: 3 }, disableUnionOutputTypes: true },
      python: { packageName: "p".repeat(MAX_SETTING_CHARS + 1), moduleNameOverrides: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`m${i}`, `v${i}`])) },
      rust: { anything: 1 },
    };
    const kept = namingLanguage(language) as { nodejs: Record<string, unknown>; python: Record<string, unknown> };
    expect(Object.keys(kept)).toEqual(["nodejs", "python"]);
    expect(kept.nodejs).toEqual({ packageName: "@acme/x", disableUnionOutputTypes: true, moduleToPackage: { a: "b" } });
    expect(kept.python.packageName).toBeUndefined();
    const overrides = kept.python.moduleNameOverrides as Record<string, string>;
    expect(Object.keys(overrides).length).toBeGreaterThan(1000);
    expect(Object.keys(overrides).length).toBeLessThan(50_000);
    expect(JSON.stringify(overrides).length).toBeLessThanOrEqual(MAX_SETTING_MAP_BYTES);
  });

  it("ignores fields of the wrong type", () => {
    expect(packageNaming({ name: "x", version: 3, language: [], meta: "m" })).toEqual({ name: "x", language: {}, resources: [] });
  });
});

describe("modules for nav", () => {
  it("applies meta.moduleFormat, keeps nested modules as flat paths, and names the index 'index'", () => {
    expect(moduleOf(pkg, INSTANCE)).toBe("compute");
    expect(moduleOf(pkg, BUCKET)).toBe("storage");
    expect(moduleOf(pkg, OBJECT)).toBe("storage/buckets");
    expect(moduleOf(pkg, PROJECT)).toBe("index");
    expect(moduleOf(pkg, "skyline:index/getRegions:getRegions")).toBe("index");
    expect(moduleOf(pkg, "pulumi:providers:skyline")).toBe("index");
  });

  it("a moduleFormat that could backtrack exponentially, or does not compile, is not used", () => {
    const evil: PackageNaming = { name: "evil", language: {}, moduleFormat: "((a+)+)$" };
    expect(moduleOf(evil, `evil:${"a".repeat(40)}!/x:X`)).toBe(`${"a".repeat(40)}!/x`);
    expect(moduleOf({ name: "bad", language: {}, moduleFormat: "(unclosed" }, "bad:net/dns:Zone")).toBe("net/dns");
  });

  it("without a moduleFormat, the whole module part of the token is the module", () => {
    const k8s: PackageNaming = { name: "kubernetes", language: {} };
    expect(moduleOf(k8s, "kubernetes:apps/v1:Deployment")).toBe("apps/v1");
    expect(moduleOf(k8s, "kubernetes:index:Provider")).toBe("index");
    expect(moduleOf(k8s, "kubernetes::Thing")).toBe("index");
  });
});

describe("resource names as a user writes them", () => {
  it("a resource in a module", () => {
    each(
      {
        typescript: "skyline.compute.Instance",
        python: "skyline.compute.Instance",
        go: "compute.Instance",
        csharp: "Skyline.ComputeEngine.Instance",
        java: "com.acme.skyline.compute.Instance",
        yaml: "skyline:compute:Instance",
      },
      (lang) => memberName(lang, pkg, INSTANCE, "resource"),
    );
  });

  it("a resource in a nested module, with python, go, java and csharp module overrides", () => {
    each(
      {
        typescript: "skyline.storage.buckets.BucketObject",
        python: "skyline.storage.bucket_store.BucketObject",
        go: "skybuckets.BucketObject",
        csharp: "Skyline.Storage.Buckets.BucketObject",
        java: "com.acme.skyline.storage.bucketstore.BucketObject",
        yaml: "skyline:storage/buckets:BucketObject",
      },
      (lang) => memberName(lang, pkg, OBJECT, "resource"),
    );
  });

  it("a resource in the index module", () => {
    each(
      {
        typescript: "skyline.Project",
        python: "skyline.Project",
        go: "skyline.Project",
        csharp: "Skyline.Project",
        java: "com.acme.skyline.Project",
        yaml: "skyline:Project",
      },
      (lang) => memberName(lang, pkg, PROJECT, "resource"),
    );
  });

  it("the provider resource", () => {
    each(
      {
        typescript: "skyline.Provider",
        python: "skyline.Provider",
        go: "skyline.Provider",
        csharp: "Skyline.Provider",
        java: "com.acme.skyline.Provider",
        yaml: "pulumi:providers:skyline",
      },
      (lang) => memberName(lang, pkg, "pulumi:providers:skyline", "resource"),
    );
  });

  it("a resource's C# class name override applies to C# only", () => {
    const spec = { language: { csharp: { name: "ComputeInstance" } } };
    expect(memberName("csharp", pkg, INSTANCE, "resource", spec)).toBe("Skyline.ComputeEngine.ComputeInstance");
    expect(memberName("typescript", pkg, INSTANCE, "resource", spec)).toBe("skyline.compute.Instance");
    expect(memberName("csharp", pkg, "skyline:compute/getInstance:getInstance", "function", spec)).toBe("Skyline.ComputeEngine.GetInstance");
  });

  it("a component resource of a package with a hyphenated name", () => {
    each(
      {
        typescript: "skyline_webapp.StaticSite",
        python: "skyline_webapp.StaticSite",
        go: "skylinewebapp.StaticSite",
        csharp: "SkylineWebapp.StaticSite",
        java: "com.pulumi.skylinewebapp.StaticSite",
        yaml: "skyline-webapp:StaticSite",
      },
      (lang) => memberName(lang, webappPkg, "skyline-webapp:index:StaticSite", "resource"),
    );
  });
});

describe("function names as a user writes them", () => {
  it("a get function whose name collides with a resource's Go getter becomes Lookup in Go", () => {
    each(
      {
        typescript: "skyline.compute.getInstance",
        python: "skyline.compute.get_instance",
        go: "compute.LookupInstance",
        csharp: "Skyline.ComputeEngine.GetInstance",
        java: "ComputeFunctions.getInstance",
        yaml: "skyline:compute:getInstance",
      },
      (lang) => memberName(lang, pkg, "skyline:compute/getInstance:getInstance", "function"),
    );
    expect(memberName("go", pkg, "skyline:storage/getBucket:getBucket", "function")).toBe("storage.LookupBucket");
  });

  it("a get function without a colliding resource keeps Get in Go", () => {
    each(
      {
        typescript: "skyline.compute.getImages",
        python: "skyline.compute.get_images",
        go: "compute.GetImages",
        csharp: "Skyline.ComputeEngine.GetImages",
        java: "ComputeFunctions.getImages",
        yaml: "skyline:compute:getImages",
      },
      (lang) => memberName(lang, pkg, "skyline:compute/getImages:getImages", "function"),
    );
  });

  it("a function in the index module", () => {
    each(
      {
        typescript: "skyline.getRegions",
        python: "skyline.get_regions",
        go: "skyline.GetRegions",
        csharp: "Skyline.GetRegions",
        java: "SkylineFunctions.getRegions",
        yaml: "skyline:getRegions",
      },
      (lang) => memberName(lang, pkg, "skyline:index/getRegions:getRegions", "function"),
    );
  });

  it("Go renames only on a collision inside the same Go package, and never for a component's missing getter", () => {
    const p: PackageNaming = {
      name: "acme",
      language: {},
      resources: [
        { token: "acme:index:Widget", isComponent: true },
        { token: "acme:other:Gadget" },
      ],
    };
    expect(memberName("go", p, "acme:index:getWidget", "function")).toBe("acme.GetWidget");
    expect(memberName("go", p, "acme:index:getGadget", "function")).toBe("acme.GetGadget");
    expect(memberName("go", p, "acme:other:getGadget", "function")).toBe("other.LookupGadget");
    expect(memberName("go", p, "acme:other:newGadget", "function")).toBe("other.CreateGadget");
    expect(memberName("go", p, "acme:index:newWidget", "function")).toBe("acme.CreateWidget");
  });
});

describe("a function's argument and result types", () => {
  it("follow the function's own name, including Go's Lookup rename", () => {
    const token = "skyline:compute/getInstance:getInstance";
    const got = Object.fromEntries(LANGUAGES.map((l) => [l, functionTypeNames(l, pkg, token)]));
    expect(got).toEqual({
      typescript: { args: "GetInstanceArgs", result: "GetInstanceResult" },
      python: { result: "GetInstanceResult" },
      go: { args: "LookupInstanceArgs", result: "LookupInstanceResult" },
      csharp: { args: "GetInstanceArgs", result: "GetInstanceResult" },
      java: { args: "GetInstanceArgs", result: "GetInstanceResult" },
      yaml: {},
    });
    expect(functionTypeNames("go", pkg, "skyline:compute/getImages:getImages")).toEqual({ args: "GetImagesArgs", result: "GetImagesResult" });
  });
});

describe("memoized naming", () => {
  it("a bounded memo answers like the function it wraps and forgets everything at its limit", () => {
    let calls = 0;
    const upper = boundedMemo(2, (s) => {
      calls++;
      return s.toUpperCase();
    });
    expect([upper("a"), upper("a"), upper("b")]).toEqual(["A", "A", "B"]);
    expect(calls).toBe(2);
    expect(upper("c")).toBe("C");
    expect(upper("a")).toBe("A");
    expect(calls).toBe(4);
  });

  it("Go's rename follows the resources of the naming it is given, not an earlier one", () => {
    const resources = [{ token: "acme:net:Zone" }];
    const a: PackageNaming = { name: "acme", language: {}, resources };
    const b: PackageNaming = { name: "acme", language: { go: { moduleToPackage: { net: "network" } } }, resources };
    expect(memberName("go", a, "acme:net:getZone", "function")).toBe("net.LookupZone");
    expect(memberName("go", b, "acme:net:getZone", "function")).toBe("network.LookupZone");
    expect(memberName("go", { name: "acme", language: {} }, "acme:net:getZone", "function")).toBe("net.GetZone");
  });
});

describe("where each language imports a module from", () => {
  it("honours nodejs packageName, python packageName/moduleNameOverrides, go importBasePath, csharp namespaces and java packages", () => {
    each(
      {
        typescript: "@acme/skyline/storage/buckets",
        python: "pulumi_skyline.storage.bucket_store",
        go: "github.com/acme/pulumi-skyline/sdk/v2/go/skyline/storage/buckets",
        csharp: "Pulumi.Skyline.Storage.Buckets",
        java: "com.acme.skyline.storage.bucketstore",
        yaml: "skyline:storage/buckets:BucketObject",
      },
      (lang) => moduleImport(lang, pkg, OBJECT),
    );
    expect(moduleImport("typescript", pkg, PROJECT)).toBe("@acme/skyline");
    expect(moduleImport("csharp", pkg, INSTANCE)).toBe("Pulumi.Skyline.ComputeEngine");
  });

  it("without overrides, each language's default package", () => {
    const plain: PackageNaming = { name: "random", version: "4.16.0", language: {}, publisher: "pulumi", moduleFormat: "(.*)(?:/[^/]*)" };
    const token = "random:index/randomPassword:RandomPassword";
    each(
      {
        typescript: "@pulumi/random",
        python: "pulumi_random",
        go: "github.com/pulumi/pulumi-random/sdk/v4/go/random",
        csharp: "Pulumi.Random",
        java: "com.pulumi.random",
        yaml: "random:RandomPassword",
      },
      (lang) => moduleImport(lang, plain, token),
    );
    expect(moduleImport("go", { name: "tiny", version: "1.2.0", language: {} }, "tiny:index:Thing")).toBe("example.com/pulumi-tiny/sdk/go/tiny");
    expect(moduleImport("go", { name: "tiny", version: "3.0.0", language: {}, repository: "https://git.example.org/team/pulumi-tiny" }, "tiny:index:Thing")).toBe(
      "git.example.org/team/pulumi-tiny/sdk/v3/go/tiny",
    );
  });

  it("Java turns a nested module without a packages entry into one package segment, and names its functions class after it", () => {
    const p: PackageNaming = { name: "acme-cloud", language: {}, moduleFormat: "(.*)(?:/[^/]*)" };
    expect(moduleImport("java", p, "acme-cloud:net/dns/zone:Zone")).toBe("com.pulumi.acmecloud.net_dns");
    expect(memberName("java", p, "acme-cloud:net/dns/getZone:getZone", "function")).toBe("Net_dnsFunctions.getZone");
    expect(memberName("java", p, "acme-cloud:index/getRegion:getRegion", "function")).toBe("AcmecloudFunctions.getRegion");
    const mapped: PackageNaming = { ...p, language: { java: { packages: { "acme-cloud": "acme", "net/dns": "net.dns" } } } };
    expect(moduleImport("java", mapped, "acme-cloud:net/dns/zone:Zone")).toBe("com.pulumi.acme.net.dns");
  });

  it("TypeScript makes each module segment an identifier and keeps dotted namespaces", () => {
    const k8s: PackageNaming = { name: "kubernetes", language: {} };
    expect(memberName("typescript", k8s, "kubernetes:networking.k8s.io/v1:Ingress", "resource")).toBe("kubernetes.networking.k8s.io.v1.Ingress");
    expect(memberName("typescript", k8s, "kubernetes:flow-control/v1:Schema", "resource")).toBe("kubernetes.flow_control.v1.Schema");
  });

  it("C# rootNamespace replaces Pulumi", () => {
    const p: PackageNaming = { name: "widgets", language: { csharp: { rootNamespace: "Acme" } } };
    expect(moduleImport("csharp", p, "widgets:shop:Cart")).toBe("Acme.Widgets.Shop");
    expect(memberName("csharp", p, "widgets:shop:Cart", "resource")).toBe("Widgets.Shop.Cart");
  });
});

describe("property names", () => {
  it("camelCase names", () => {
    each(
      { typescript: "instanceType", python: "instance_type", go: "InstanceType", csharp: "InstanceType", java: "instanceType", yaml: "instanceType" },
      (lang) => propertyName(lang, pkg, "instanceType", inputOf(INSTANCE, "instanceType")),
    );
  });

  it("acronyms and digits follow PyName", () => {
    expect(propertyName("python", pkg, "publicIPs")).toBe("public_ips");
    expect(propertyName("python", pkg, "sha256Fingerprint")).toBe("sha256_fingerprint");
    expect(propertyName("python", pkg, "privateIPs")).toBe("private_ips");
    expect(propertyName("python", pkg, "SHA256Hash")).toBe("sha256_hash");
    expect(propertyName("python", pkg, "assignPublicIp")).toBe("assign_public_ip");
    expect(propertyName("python", pkg, "openXJsonSerDe")).toBe("open_x_json_ser_de");
    expect(propertyName("python", pkg, "GetPublicIPs")).toBe("get_public_i_ps");
    expect(propertyName("python", pkg, "HTTPServer")).toBe("http_server");
    expect(propertyName("python", pkg, "lambda")).toBe("lambda_");
    expect(propertyName("go", pkg, "publicIPs")).toBe("PublicIPs");
    expect(propertyName("csharp", pkg, "publicIPs")).toBe("PublicIPs");
  });

  it("a C# name override applies to C# only", () => {
    const spec = inputOf(INSTANCE, "name");
    each(
      { typescript: "name", python: "name", go: "Name", csharp: "InstanceName", java: "name", yaml: "name" },
      (lang) => propertyName(lang, pkg, "name", spec),
    );
  });

  it("a Java name override renames the builder setter", () => {
    const spec = { language: { java: { name: "instanceName" }, csharp: { name: "InstanceName" } } };
    expect(propertyName("java", pkg, "name", spec)).toBe("instanceName");
    expect(propertyName("csharp", pkg, "name", spec)).toBe("InstanceName");
    expect(propertyName("python", pkg, "name", spec)).toBe("name");
  });

  it("Python keeps the schema's spelling when mapCase is false", () => {
    expect(propertyName("python", pkg, "rawHeaders", inputOf(INSTANCE, "rawHeaders"))).toBe("rawHeaders");
    expect(propertyName("python", pkg, "rawHeaders")).toBe("raw_headers");
  });

  it("names that are not identifiers are made into ones", () => {
    expect(propertyName("go", pkg, "$ref")).toBe("Ref");
    expect(propertyName("go", pkg, "x-forwarded-for")).toBe("XForwardedFor");
    expect(propertyName("java", pkg, "class")).toBe("class_");
    expect(propertyName("java", pkg, "builder")).toBe("builder_");
    expect(propertyName("java", pkg, "x-forwarded-for")).toBe("xforwardedfor");
    expect(propertyName("csharp", pkg, "x-forwarded-for")).toBe("X_forwarded_for");
  });
});

describe("type display names of object types and enums", () => {
  it("an object type as input and as output", () => {
    const token = "skyline:storage/BucketWebsite:BucketWebsite";
    each(
      { typescript: "BucketWebsite", python: "BucketWebsiteArgs", go: "BucketWebsiteArgs", csharp: "BucketWebsite", java: "BucketWebsite", yaml: "BucketWebsite" },
      (lang) => typeDisplayName(lang, pkg, token, { input: true }),
    );
    each(
      { typescript: "BucketWebsite", python: "BucketWebsite", go: "BucketWebsite", csharp: "BucketWebsite", java: "BucketWebsite", yaml: "BucketWebsite" },
      (lang) => typeDisplayName(lang, pkg, token, { input: false }),
    );
  });

  it("an enum never gets Args", () => {
    const token = "skyline:storage/CannedAcl:CannedAcl";
    for (const lang of LANGUAGES) expect(typeDisplayName(lang, pkg, token, { input: true, kind: "enum" })).toBe("CannedAcl");
  });
});

describe("property types as the docs tables show them", () => {
  const type = (lang: Language, spec: TypeSpec, input = true, required = false) => typeName(lang, pkg, spec, context(sky, input, required));

  it("scalars", () => {
    each({ typescript: "string", python: "str", go: "string", csharp: "string", java: "String", yaml: "String" }, (l) => type(l, { type: "string" }));
    each({ typescript: "number", python: "int", go: "int", csharp: "int", java: "Integer", yaml: "Number" }, (l) => type(l, { type: "integer" }));
    each({ typescript: "number", python: "float", go: "float64", csharp: "double", java: "Double", yaml: "Number" }, (l) => type(l, { type: "number" }));
    each({ typescript: "boolean", python: "bool", go: "bool", csharp: "bool", java: "Boolean", yaml: "Boolean" }, (l) => type(l, { type: "boolean" }));
  });

  it("arrays and maps", () => {
    each(
      { typescript: "string[]", python: "Sequence[str]", go: "[]string", csharp: "List<string>", java: "List<String>", yaml: "List<String>" },
      (l) => type(l, inputOf(PROJECT, "members")),
    );
    each(
      {
        typescript: "{[key: string]: string}",
        python: "Mapping[str, str]",
        go: "map[string]string",
        csharp: "Dictionary<string, string>",
        java: "Map<String,String>",
        yaml: "Map<String>",
      },
      (l) => type(l, inputOf(INSTANCE, "tags")),
    );
    each(
      {
        typescript: "{[key: string]: number}",
        python: "Mapping[str, int]",
        go: "map[string]int",
        csharp: "Dictionary<string, int>",
        java: "Map<String,Integer>",
        yaml: "Map<Number>",
      },
      (l) => type(l, inputOf(BUCKET, "lifecycleDays")),
    );
  });

  it("an object type, as input and as output", () => {
    each(
      { typescript: "BucketWebsite", python: "BucketWebsiteArgs", go: "BucketWebsiteArgs", csharp: "BucketWebsite", java: "BucketWebsite", yaml: "Property Map" },
      (l) => type(l, inputOf(BUCKET, "website")),
    );
    each(
      { typescript: "BucketWebsite", python: "BucketWebsite", go: "BucketWebsite", csharp: "BucketWebsite", java: "BucketWebsite", yaml: "Property Map" },
      (l) => type(l, outputOf(BUCKET, "website"), false),
    );
  });

  it("an array of object types", () => {
    each(
      {
        typescript: "NetworkInterface[]",
        python: "Sequence[NetworkInterfaceArgs]",
        go: "[]NetworkInterfaceArgs",
        csharp: "List<NetworkInterface>",
        java: "List<NetworkInterface>",
        yaml: "List<Property Map>",
      },
      (l) => type(l, inputOf(INSTANCE, "networkInterfaces")),
    );
  });

  it("a union of a string and an enum", () => {
    each(
      {
        typescript: "string | InstanceSize",
        python: "str | InstanceSize",
        go: "string | InstanceSize",
        csharp: "string | Pulumi.Skyline.ComputeEngine.InstanceSize",
        java: "String | InstanceSize",
        yaml: 'String | "small" | "medium" | "large" | "x-large"',
      },
      (l) => type(l, inputOf(INSTANCE, "instanceType")),
    );
  });

  it("an enum, including an integer enum in a nested module", () => {
    each(
      {
        typescript: "InstanceState",
        python: "InstanceState",
        go: "InstanceState",
        csharp: "Pulumi.Skyline.ComputeEngine.InstanceState",
        java: "InstanceState",
        yaml: '"pending" | "running" | "stopped" | "terminated"',
      },
      (l) => type(l, outputOf(INSTANCE, "state"), false, true),
    );
    each(
      {
        typescript: "StorageClass",
        python: "StorageClass",
        go: "StorageClass",
        csharp: "Pulumi.Skyline.Storage.Buckets.StorageClass",
        java: "StorageClass",
        yaml: "1 | 2 | 3",
      },
      (l) => type(l, inputOf(OBJECT, "storageClass")),
    );
  });

  it("Any, Json, Asset and Archive", () => {
    each({ typescript: "any", python: "Any", go: "interface{}", csharp: "object", java: "Object", yaml: "Any" }, (l) => type(l, inputOf(PROJECT, "settings")));
    each(
      { typescript: "any", python: "Any", go: "interface{}", csharp: "System.Text.Json.JsonElement", java: "JsonElement", yaml: "JSON" },
      (l) => type(l, inputOf(BUCKET, "policy")),
    );
    each(
      {
        typescript: "pulumi.asset.Asset | pulumi.asset.Archive",
        python: "Union[pulumi.Asset, pulumi.Archive]",
        go: "pulumi.AssetOrArchive",
        csharp: "AssetOrArchive",
        java: "AssetOrArchive",
        yaml: "Asset",
      },
      (l) => type(l, inputOf(OBJECT, "source")),
    );
    each(
      { typescript: "pulumi.asset.Archive", python: "pulumi.Archive", go: "pulumi.Archive", csharp: "Archive", java: "Archive", yaml: "Archive" },
      (l) => type(l, inputOf(OBJECT, "archive")),
    );
  });

  it("a reference to a resource", () => {
    each(
      { typescript: "Bucket", python: "Bucket", go: "Bucket", csharp: "Pulumi.Skyline.Storage.Bucket", java: "Bucket", yaml: "skyline:storage:Bucket" },
      (l) => type(l, inputOf(OBJECT, "bucket")),
    );
  });

  it("another package's object type is qualified by that package", () => {
    each(
      {
        typescript: "pulumiKms.types.input.KeyReference",
        python: "pulumi_kms.KeyReferenceArgs",
        go: "kms.KeyReferenceArgs",
        csharp: "Pulumi.Kms.Inputs.KeyReference",
        java: "com.pulumi.kms.inputs.KeyReference",
        yaml: "Property Map",
      },
      (l) => type(l, inputOf(BUCKET, "encryptionKey")),
    );
    each(
      {
        typescript: "pulumiKms.types.output.KeyReference",
        python: "pulumi_kms.outputs.KeyReference",
        go: "kms.KeyReference",
        csharp: "Pulumi.Kms.Outputs.KeyReference",
        java: "com.pulumi.kms.outputs.KeyReference",
        yaml: "Property Map",
      },
      (l) => type(l, inputOf(BUCKET, "encryptionKey"), false),
    );
  });

  it("a component's reference to the provider's types and resources", () => {
    const site = webapp.resources?.["skyline-webapp:index:StaticSite"];
    const ctx = (input: boolean) => context(webapp, input, true);
    const website = site?.inputProperties?.website ?? {};
    const bucket = site?.properties?.bucket ?? {};
    each(
      {
        typescript: "pulumiSkyline.types.input.storage.BucketWebsite",
        python: "pulumi_skyline.storage.BucketWebsiteArgs",
        go: "storage.BucketWebsiteArgs",
        csharp: "Pulumi.Skyline.Storage.Inputs.BucketWebsite",
        java: "com.pulumi.skyline.storage.inputs.BucketWebsite",
        yaml: "Property Map",
      },
      (l) => typeName(l, webappPkg, website, ctx(true)),
    );
    each(
      {
        typescript: "pulumiSkyline.storage.Bucket",
        python: "pulumi_skyline.storage.Bucket",
        go: "storage.Bucket",
        csharp: "Pulumi.Skyline.Storage.Bucket",
        java: "com.pulumi.skyline.storage.Bucket",
        yaml: "skyline:storage:Bucket",
      },
      (l) => typeName(l, webappPkg, bucket, ctx(false)),
    );
  });
});

describe("property types as the SDKs declare them, with Input/Output wrappers", () => {
  const sdk = (lang: Language, spec: TypeSpec, input: boolean, required: boolean) => sdkTypeName(lang, pkg, spec, context(sky, input, required));

  it("a required string input and an optional one", () => {
    each(
      {
        typescript: "pulumi.Input<string>",
        python: "pulumi.Input[str]",
        go: "pulumi.StringInput",
        csharp: "Input<string>",
        java: "Output<String>",
        yaml: "String",
      },
      (l) => sdk(l, inputOf(INSTANCE, "imageId"), true, true),
    );
    each(
      {
        typescript: "pulumi.Input<string>",
        python: "Optional[pulumi.Input[str]]",
        go: "pulumi.StringPtrInput",
        csharp: "Input<string>",
        java: "Output<String>",
        yaml: "String",
      },
      (l) => sdk(l, inputOf(INSTANCE, "userData"), true, false),
    );
  });

  it("array, map and object inputs", () => {
    each(
      {
        typescript: "pulumi.Input<pulumi.Input<string>[]>",
        python: "Optional[pulumi.Input[Sequence[pulumi.Input[str]]]]",
        go: "pulumi.StringArrayInput",
        csharp: "InputList<string>",
        java: "Output<List<String>>",
        yaml: "List<String>",
      },
      (l) => sdk(l, inputOf(PROJECT, "members"), true, false),
    );
    each(
      {
        typescript: "pulumi.Input<{[key: string]: pulumi.Input<string>}>",
        python: "Optional[pulumi.Input[Mapping[str, pulumi.Input[str]]]]",
        go: "pulumi.StringMapInput",
        csharp: "InputMap<string>",
        java: "Output<Map<String,String>>",
        yaml: "Map<String>",
      },
      (l) => sdk(l, inputOf(INSTANCE, "tags"), true, false),
    );
    each(
      {
        typescript: "pulumi.Input<inputs.storage.BucketWebsiteArgs>",
        python: "Optional[pulumi.Input[Union['BucketWebsiteArgs', 'BucketWebsiteArgsDict']]]",
        go: "BucketWebsitePtrInput",
        csharp: "Input<Inputs.BucketWebsiteArgs>",
        java: "Output<BucketWebsiteArgs>",
        yaml: "Property Map",
      },
      (l) => sdk(l, inputOf(BUCKET, "website"), true, false),
    );
    each(
      {
        typescript: "pulumi.Input<pulumi.Input<inputs.compute.NetworkInterfaceArgs>[]>",
        python: "Optional[pulumi.Input[Sequence[pulumi.Input[Union['NetworkInterfaceArgs', 'NetworkInterfaceArgsDict']]]]]",
        go: "NetworkInterfaceArrayInput",
        csharp: "InputList<Inputs.NetworkInterfaceArgs>",
        java: "Output<List<NetworkInterfaceArgs>>",
        yaml: "List<Property Map>",
      },
      (l) => sdk(l, inputOf(INSTANCE, "networkInterfaces"), true, false),
    );
  });

  it("a relaxed enum input and an enum input", () => {
    each(
      {
        typescript: "pulumi.Input<string | enums.compute.InstanceSize>",
        python: "pulumi.Input[Union[str, 'InstanceSize']]",
        go: "pulumi.StringInput",
        csharp: "InputUnion<string, Pulumi.Skyline.ComputeEngine.InstanceSize>",
        java: "Output<Either<String,InstanceSize>>",
        yaml: 'String | "small" | "medium" | "large" | "x-large"',
      },
      (l) => sdk(l, inputOf(INSTANCE, "instanceType"), true, true),
    );
    each(
      {
        typescript: "pulumi.Input<enums.storage.buckets.StorageClass>",
        python: "Optional[pulumi.Input['StorageClass']]",
        go: "StorageClassPtrInput",
        csharp: "Input<Pulumi.Skyline.Storage.Buckets.StorageClass>",
        java: "Output<StorageClass>",
        yaml: "1 | 2 | 3",
      },
      (l) => sdk(l, inputOf(OBJECT, "storageClass"), true, false),
    );
  });

  it("outputs, required and optional", () => {
    each(
      {
        typescript: "pulumi.Output<string>",
        python: "pulumi.Output[str]",
        go: "pulumi.StringOutput",
        csharp: "Output<string>",
        java: "Output<String>",
        yaml: "String",
      },
      (l) => sdk(l, outputOf(INSTANCE, "arn"), false, true),
    );
    each(
      {
        typescript: "pulumi.Output<string | undefined>",
        python: "pulumi.Output[Optional[str]]",
        go: "pulumi.StringPtrOutput",
        csharp: "Output<string?>",
        java: "Output<Optional<String>>",
        yaml: "String",
      },
      (l) => sdk(l, outputOf(INSTANCE, "sha256Fingerprint"), false, false),
    );
    each(
      {
        typescript: "pulumi.Output<string[]>",
        python: "pulumi.Output[Sequence[str]]",
        go: "pulumi.StringArrayOutput",
        csharp: "Output<ImmutableArray<string>>",
        java: "Output<List<String>>",
        yaml: "List<String>",
      },
      (l) => sdk(l, outputOf(INSTANCE, "publicIPs"), false, true),
    );
    each(
      {
        typescript: "pulumi.Output<outputs.storage.BucketWebsite | undefined>",
        python: "pulumi.Output[Optional['outputs.BucketWebsite']]",
        go: "BucketWebsitePtrOutput",
        csharp: "Output<Outputs.BucketWebsite?>",
        java: "Output<Optional<BucketWebsite>>",
        yaml: "Property Map",
      },
      (l) => sdk(l, outputOf(BUCKET, "website"), false, false),
    );
    each(
      {
        typescript: "pulumi.Output<string | enums.compute.InstanceSize>",
        python: "pulumi.Output[str]",
        go: "pulumi.StringOutput",
        csharp: "Output<string>",
        java: "Output<String>",
        yaml: 'String | "small" | "medium" | "large" | "x-large"',
      },
      (l) => sdk(l, outputOf(INSTANCE, "instanceType"), false, true),
    );
  });

  it("Any and Json", () => {
    each(
      { typescript: "any", python: "Optional[Any]", go: "pulumi.Input", csharp: "Input<object>", java: "Output<Object>", yaml: "Any" },
      (l) => sdk(l, inputOf(PROJECT, "settings"), true, false),
    );
    each(
      { typescript: "any", python: "Optional[Any]", go: "pulumi.Input", csharp: "InputJson", java: "Output<JsonElement>", yaml: "JSON" },
      (l) => sdk(l, inputOf(BUCKET, "policy"), true, false),
    );
    each(
      {
        typescript: "pulumi.Output<any | undefined>",
        python: "pulumi.Output[Optional[Any]]",
        go: "pulumi.AnyOutput",
        csharp: "Output<object?>",
        java: "Output<Optional<Object>>",
        yaml: "Any",
      },
      (l) => sdk(l, outputOf(PROJECT, "settings"), false, false),
    );
  });

  it("another package's object type, as the SDK references it", () => {
    each(
      {
        typescript: "pulumi.Input<pulumiKms.types.input.KeyReferenceArgs>",
        python: "Optional[pulumi.Input['pulumi_kms.KeyReferenceArgs']]",
        go: "kms.KeyReferencePtrInput",
        csharp: "Input<Pulumi.Kms.Inputs.KeyReferenceArgs>",
        java: "Output<com.pulumi.kms.inputs.KeyReferenceArgs>",
        yaml: "Property Map",
      },
      (l) => sdk(l, inputOf(BUCKET, "encryptionKey"), true, false),
    );
  });

  it("plain inputs carry no wrappers", () => {
    const extraTags = webapp.resources?.["skyline-webapp:index:StaticSite"]?.inputProperties?.extraTags ?? {};
    each(
      {
        typescript: "{[key: string]: string}",
        python: "Optional[Mapping[str, str]]",
        go: "map[string]string",
        csharp: "Dictionary<string, string>?",
        java: "Map<String,String>",
        yaml: "Map<String>",
      },
      (l) => sdkTypeName(l, webappPkg, extraTags, context(webapp, true, false)),
    );
  });
});

describe("what a type refers to", () => {
  it("a local object, enum or resource: the token only", () => {
    expect(typeRef(pkg, inputOf(BUCKET, "website"))).toEqual({ token: "skyline:storage/BucketWebsite:BucketWebsite" });
    expect(typeRef(pkg, inputOf(INSTANCE, "networkInterfaces"))).toEqual({ token: "skyline:compute/NetworkInterface:NetworkInterface" });
    expect(typeRef(pkg, inputOf(INSTANCE, "instanceType"))).toEqual({ token: "skyline:compute/InstanceSize:InstanceSize" });
    expect(typeRef(pkg, inputOf(OBJECT, "bucket"))).toEqual({ token: "skyline:storage/bucket:Bucket" });
    expect(typeRef(pkg, { type: "object", additionalProperties: { $ref: "#/types/skyline:storage%2FBucketCorsRule:BucketCorsRule" } })).toEqual({
      token: "skyline:storage/BucketCorsRule:BucketCorsRule",
    });
  });

  it("another package's type: token, package and version", () => {
    expect(typeRef(pkg, inputOf(BUCKET, "encryptionKey"))).toEqual({ token: "kms:index/KeyReference:KeyReference", package: "kms", version: "1.4.0" });
    expect(typeRef(webappPkg, { $ref: "/skyline/v2.3.0/schema.json#/resources/skyline:storage%2Fbucket:Bucket" })).toEqual({
      token: "skyline:storage/bucket:Bucket",
      package: "skyline",
      version: "2.3.0",
    });
    expect(typeRef(pkg, { $ref: "https://example.com/schemas/kms/schema.json#/types/kms:index:Key" })).toEqual({ token: "kms:index:Key", package: "kms" });
  });

  it("scalars and builtins refer to nothing", () => {
    expect(typeRef(pkg, { type: "string" })).toBeUndefined();
    expect(typeRef(pkg, inputOf(PROJECT, "members"))).toBeUndefined();
    expect(typeRef(pkg, { $ref: "pulumi.json#/Any" })).toBeUndefined();
    expect(typeRef(pkg, { $ref: "pulumi.json#/Archive" })).toBeUndefined();
  });
});

describe("enum member names", () => {
  const acl = "skyline:storage/CannedAcl:CannedAcl";
  const size = "skyline:compute/InstanceSize:InstanceSize";
  const storageClass = "skyline:storage/buckets/StorageClass:StorageClass";

  it("a named member", () => {
    each(
      { typescript: "PublicRead", python: "PUBLIC_READ", go: "CannedAclPublicRead", csharp: "PublicRead", java: "PublicRead", yaml: '"public-read"' },
      (l) => enumValueName(l, pkg, acl, { name: "PublicRead", value: "public-read" }),
    );
  });

  it("a member named only by its hyphenated value", () => {
    each(
      { typescript: "X_large", python: "X_LARGE", go: "InstanceSize_X_Large", csharp: "X_large", java: "Xlarge", yaml: '"x-large"' },
      (l) => enumValueName(l, pkg, size, { value: "x-large" }),
    );
  });

  it("an integer member with a name, and one without", () => {
    each(
      { typescript: "Standard", python: "STANDARD", go: "StorageClassStandard", csharp: "Standard", java: "Standard", yaml: "1" },
      (l) => enumValueName(l, pkg, storageClass, { name: "Standard", value: 1 }),
    );
    each(
      { typescript: "Seven", python: "SEVEN", go: "StorageClassSeven", csharp: "Seven", java: "Seven", yaml: "7" },
      (l) => enumValueName(l, pkg, storageClass, { value: 7 }),
    );
  });

  it("a value that starts with a digit gets the type name in front", () => {
    expect(enumValueName("typescript", pkg, size, { value: "2xlarge" })).toBe("InstanceSize_2xlarge");
    expect(enumValueName("python", pkg, size, { value: "2xlarge" })).toBe("INSTANCE_SIZE_2XLARGE");
    expect(enumValueName("csharp", pkg, size, { value: "2xlarge" })).toBe("InstanceSize_2xlarge");
    expect(enumValueName("go", pkg, size, { value: "2xlarge" })).toBe("InstanceSize_2xlarge");
  });

  it("C# renames Equals", () => {
    expect(enumValueName("csharp", pkg, size, { value: "equals" })).toBe("EqualsValue");
  });
});
