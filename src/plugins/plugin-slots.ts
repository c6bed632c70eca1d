// The upload slots of an attach operation (one per platform), for the local upload route.
import type { ArtifactSlot } from "../core/kind";
import { PLATFORMS, platformSlot } from "./platforms";

export const PLUGIN_SLOTS: ArtifactSlot[] = PLATFORMS.map((platform) => ({
  name: platformSlot(platform),
  required: false,
  maxBytes: (limits) => limits.pluginBytes,
  contentType: "application/gzip",
}));
