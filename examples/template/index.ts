// One monitor per configured endpoint and a status page listing them all.
import * as pulumi from "@pulumi/pulumi";
import * as uptime from "@acme/uptime";

const config = new pulumi.Config();
const endpoints = config.require("endpoints").split(",").map((url) => url.trim()).filter((url) => url !== "");

const monitors = endpoints.map(
    (url, i) =>
        new uptime.Monitor(`endpoint-${i}`, {
            url,
            regions: [uptime.Region.EuWest, uptime.Region.UsEast],
            assertions: [{ statusCode: 200 }],
        }),
);

const page = new uptime.StatusPage("status", {
    title: config.get("pageTitle") ?? "Service status",
    monitorIds: monitors.map((m) => m.id),
});

export const statusPageUrl = page.url;
