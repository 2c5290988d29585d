import type { ProbotOctokit } from 'probot';
import type { AppPlatform, HookDelivery } from './platform.js';

/** The AppPlatform over an Octokit authenticated as the app itself (its JWT: `app.auth()`). */
export class OctokitAppPlatform implements AppPlatform {
  constructor(private readonly octokit: ProbotOctokit) {}

  async installations(): Promise<number[]> {
    const installations = await this.octokit.paginate(this.octokit.rest.apps.listInstallations, { per_page: 100 });
    return installations.map((installation) => installation.id);
  }

  async hookDeliveries(since: Date): Promise<HookDelivery[]> {
    // Newest first, paged by cursor (the Link header's next page, which paginate follows):
    // https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook
    const deliveries: HookDelivery[] = [];
    const pages = this.octokit.paginate.iterator(this.octokit.rest.apps.listWebhookDeliveries, { per_page: 100 });
    for await (const { data } of pages) {
      for (const item of data) {
        if (Date.parse(item.delivered_at) < since.getTime()) return deliveries;
        deliveries.push({
          id: item.id, guid: item.guid, deliveredAt: item.delivered_at, redelivery: item.redelivery, statusCode: item.status_code,
          event: item.event, action: item.action ?? null, installationId: item.installation_id ?? null,
        });
      }
    }
    return deliveries;
  }

  async redeliver(deliveryId: number): Promise<void> {
    // https://docs.github.com/rest/apps/webhooks#redeliver-a-delivery-for-an-app-webhook (202 Accepted)
    await this.octokit.rest.apps.redeliverWebhookDelivery({ delivery_id: deliveryId });
  }
}
