/**
 * The domain table of the example catalogue: the back-office records of a mid-sized company,
 * eight domains of five records each. Every record gets the nine read-only tools of
 * `catalog.tools.ts`, so the table makes a catalogue of 360 tools, the size at which listing
 * every definition floods a model's context.
 */

/** A field of a record: `name:type`, where type is `string`, `integer`, `number`, `boolean`,
 * `date` or `a|b|c` (one of these values). */
type FieldSpec = `${string}:${string}`;

/** One field of a record. */
export interface CatalogField {
  name: string;
  /** JSON type, or `date` (a string of format date). */
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** The values it takes, when it takes one of a few. */
  values?: readonly string[];
}

/** One kind of record of the catalogue. */
export interface CatalogEntity {
  /** Domain, also the first tag of its tools: `billing`, `sales`, … */
  domain: string;
  /** Singular, snake case: `invoice`. */
  name: string;
  /** Plural, snake case: `invoices`. */
  plural: string;
  /** Prefix of its ids: `in` for `in_20931`. */
  idPrefix: string;
  /** What one is, for the model: `a bill sent to a customer for goods or services`. */
  about: string;
  /** The statuses it goes through. */
  statuses: readonly string[];
  /** Its main fields; the first is the one `find_<plural>_by_<field>` looks up. */
  fields: readonly CatalogField[];
  /** The records linked to one (plural names). */
  related: readonly string[];
}

function entity(
  domain: string,
  name: string,
  plural: string,
  idPrefix: string,
  about: string,
  statuses: string,
  fields: FieldSpec[],
  related: string,
): CatalogEntity {
  return {
    domain,
    name,
    plural,
    idPrefix,
    about,
    statuses: statuses.split(' '),
    fields: fields.map((spec) => {
      const [field, type] = spec.split(':');
      return type.includes('|')
        ? { name: field, type: 'string', values: type.split('|') }
        : { name: field, type: type as CatalogField['type'] };
    }),
    related: related.split(' '),
  };
}

/** The records of the catalogue, by domain. */
export const CATALOG_ENTITIES: readonly CatalogEntity[] = [
  // billing
  entity(
    'billing',
    'invoice',
    'invoices',
    'in',
    'a bill sent to a customer for goods or services',
    'draft open paid void overdue',
    ['customer_id:string', 'currency:EUR|USD|GBP', 'total:number', 'due_date:date'],
    'payments credit_notes customers',
  ),
  entity(
    'billing',
    'payment',
    'payments',
    'pay',
    'money received from a customer against invoices',
    'pending captured failed refunded',
    ['invoice_id:string', 'method:card|transfer|direct_debit', 'amount:number'],
    'invoices refunds',
  ),
  entity(
    'billing',
    'refund',
    'refunds',
    're',
    'money returned to a customer for a payment',
    'requested approved paid rejected',
    ['payment_id:string', 'reason:damaged|late|duplicate|other', 'amount:number'],
    'payments invoices',
  ),
  entity(
    'billing',
    'credit_note',
    'credit_notes',
    'cn',
    'a document that reduces what a customer owes on an invoice',
    'draft issued applied',
    ['invoice_id:string', 'amount:number', 'issued_on:date'],
    'invoices customers',
  ),
  entity(
    'billing',
    'subscription',
    'subscriptions',
    'sub',
    "a customer's recurring plan, billed every period",
    'trialing active past_due cancelled',
    ['customer_id:string', 'plan_id:string', 'renews_on:date'],
    'invoices price_plans customers',
  ),
  // sales
  entity(
    'sales',
    'customer',
    'customers',
    'cus',
    'a company or person that buys from us',
    'prospect active churned',
    ['email:string', 'country:string', 'segment:smb|mid_market|enterprise'],
    'invoices orders tickets contracts',
  ),
  entity(
    'sales',
    'lead',
    'leads',
    'lead',
    'a possible customer who showed interest',
    'new contacted qualified disqualified',
    ['email:string', 'source:web|event|referral|outbound', 'score:integer'],
    'opportunities customers',
  ),
  entity(
    'sales',
    'opportunity',
    'opportunities',
    'opp',
    'a deal in the sales pipeline',
    'discovery proposal negotiation won lost',
    ['customer_id:string', 'amount:number', 'close_date:date'],
    'quotes customers contracts',
  ),
  entity(
    'sales',
    'quote',
    'quotes',
    'quo',
    'a priced offer sent to a prospect',
    'draft sent accepted expired',
    ['opportunity_id:string', 'total:number', 'valid_until:date'],
    'opportunities products',
  ),
  entity(
    'sales',
    'contract',
    'contracts',
    'ctr',
    'a signed agreement with a customer',
    'draft signed active ended',
    ['customer_id:string', 'value:number', 'ends_on:date'],
    'customers subscriptions',
  ),
  // commerce
  entity(
    'commerce',
    'order',
    'orders',
    'ord',
    'a purchase placed by a customer in the shop',
    'placed paid shipped delivered cancelled',
    ['customer_id:string', 'total:number', 'channel:web|mobile|store'],
    'shipments payments products',
  ),
  entity(
    'commerce',
    'product',
    'products',
    'prod',
    'an item of the catalogue that customers can buy',
    'draft active discontinued',
    ['sku:string', 'category:string', 'price:number'],
    'orders reviews inventory_items',
  ),
  entity(
    'commerce',
    'cart',
    'carts',
    'cart',
    "a shopper's basket before checkout",
    'open abandoned converted',
    ['customer_id:string', 'items:integer', 'value:number'],
    'products orders',
  ),
  entity(
    'commerce',
    'coupon',
    'coupons',
    'cpn',
    'a discount code shoppers apply at checkout',
    'scheduled active expired',
    ['code:string', 'percent_off:integer', 'expires_on:date'],
    'orders',
  ),
  entity(
    'commerce',
    'review',
    'reviews',
    'rev',
    'a rating and comment a customer left on a product',
    'pending published hidden',
    ['product_id:string', 'rating:integer', 'verified:boolean'],
    'products customers',
  ),
  // logistics
  entity(
    'logistics',
    'shipment',
    'shipments',
    'shp',
    'a parcel on its way to a customer',
    'label_created in_transit delivered lost',
    ['tracking_number:string', 'carrier_id:string', 'shipped_on:date'],
    'orders carriers warehouses',
  ),
  entity(
    'logistics',
    'warehouse',
    'warehouses',
    'wh',
    'a site where stock is kept and orders are packed',
    'active closed',
    ['city:string', 'country:string', 'capacity:integer'],
    'inventory_items shipments',
  ),
  entity(
    'logistics',
    'inventory_item',
    'inventory_items',
    'inv',
    'the stock of one product in one warehouse',
    'in_stock low out_of_stock',
    ['product_id:string', 'warehouse_id:string', 'quantity:integer'],
    'products warehouses',
  ),
  entity(
    'logistics',
    'carrier',
    'carriers',
    'car',
    'a delivery company that carries our parcels',
    'active suspended',
    ['name:string', 'service:standard|express|freight', 'on_time_rate:number'],
    'shipments',
  ),
  entity(
    'logistics',
    'return',
    'returns',
    'rma',
    'goods a customer sends back',
    'requested received inspected refunded',
    ['order_id:string', 'reason:damaged|wrong_item|not_needed', 'received_on:date'],
    'orders refunds',
  ),
  // support
  entity(
    'support',
    'ticket',
    'tickets',
    'tkt',
    'a support request from a customer',
    'new open pending solved closed',
    ['customer_id:string', 'priority:low|normal|high|urgent', 'channel:email|chat|phone'],
    'conversations customers sla_policies',
  ),
  entity(
    'support',
    'conversation',
    'conversations',
    'conv',
    'the messages exchanged on a ticket',
    'active archived',
    ['ticket_id:string', 'messages:integer', 'last_reply_on:date'],
    'tickets',
  ),
  entity(
    'support',
    'knowledge_article',
    'knowledge_articles',
    'kb',
    'a help-centre article that answers a common question',
    'draft published archived',
    ['title:string', 'locale:string', 'views:integer'],
    'tickets',
  ),
  entity(
    'support',
    'sla_policy',
    'sla_policies',
    'sla',
    'the response and resolution times promised to customers',
    'active retired',
    ['name:string', 'first_response_minutes:integer', 'resolution_hours:integer'],
    'tickets customers',
  ),
  entity(
    'support',
    'csat_survey',
    'csat_surveys',
    'csat',
    'a satisfaction survey answered after a ticket is solved',
    'sent answered expired',
    ['ticket_id:string', 'score:integer', 'answered_on:date'],
    'tickets customers',
  ),
  // people (needs the catalog:hr scope when authentication is on)
  entity(
    'hr',
    'employee',
    'employees',
    'emp',
    'a person employed by the company',
    'onboarding active on_leave left',
    ['email:string', 'department:string', 'started_on:date'],
    'teams leave_requests payroll_runs',
  ),
  entity(
    'hr',
    'team',
    'teams',
    'team',
    'a group of employees with one manager',
    'active disbanded',
    ['name:string', 'manager_id:string', 'headcount:integer'],
    'employees job_openings',
  ),
  entity(
    'hr',
    'leave_request',
    'leave_requests',
    'lr',
    'an employee asking for time off',
    'requested approved rejected taken',
    ['employee_id:string', 'kind:vacation|sick|parental|unpaid', 'starts_on:date'],
    'employees',
  ),
  entity(
    'hr',
    'payroll_run',
    'payroll_runs',
    'pr',
    'one monthly payment of salaries',
    'draft approved paid',
    ['period:string', 'employees:integer', 'gross_total:number'],
    'employees',
  ),
  entity(
    'hr',
    'job_opening',
    'job_openings',
    'job',
    'a position the company is hiring for',
    'draft open filled closed',
    ['title:string', 'team_id:string', 'location:string'],
    'teams employees',
  ),
  // engineering
  entity(
    'engineering',
    'repository',
    'repositories',
    'repo',
    'a source code repository',
    'active archived',
    ['name:string', 'language:string', 'default_branch:string'],
    'deployments services',
  ),
  entity(
    'engineering',
    'deployment',
    'deployments',
    'dep',
    'a release of a service to an environment',
    'queued running succeeded failed rolled_back',
    ['service_id:string', 'environment:staging|production', 'version:string'],
    'services repositories incidents',
  ),
  entity(
    'engineering',
    'incident',
    'incidents',
    'inc',
    'an outage or degradation of a service',
    'open mitigated resolved postmortem_done',
    ['service_id:string', 'severity:sev1|sev2|sev3', 'started_on:date'],
    'services alerts deployments',
  ),
  entity(
    'engineering',
    'alert',
    'alerts',
    'alr',
    'a monitoring alarm that fired',
    'firing acknowledged resolved',
    ['service_id:string', 'rule:string', 'fired_on:date'],
    'incidents services',
  ),
  entity(
    'engineering',
    'service',
    'services',
    'svc',
    'a running software service we operate',
    'healthy degraded down retired',
    ['name:string', 'owner_team_id:string', 'tier:1|2|3'],
    'deployments incidents repositories',
  ),
  // finance
  entity(
    'finance',
    'ledger_entry',
    'ledger_entries',
    'le',
    'a line of the general ledger',
    'posted reversed',
    ['account:string', 'amount:number', 'posted_on:date'],
    'invoices expenses',
  ),
  entity(
    'finance',
    'budget',
    'budgets',
    'bud',
    "a department's planned spending for a year",
    'draft approved closed',
    ['department:string', 'year:integer', 'amount:number'],
    'expenses purchase_orders',
  ),
  entity(
    'finance',
    'expense',
    'expenses',
    'exp',
    'a cost an employee paid and claims back',
    'submitted approved reimbursed rejected',
    ['employee_id:string', 'category:travel|meals|equipment|software', 'amount:number'],
    'budgets ledger_entries',
  ),
  entity(
    'finance',
    'vendor',
    'vendors',
    'ven',
    'a supplier the company buys from',
    'onboarding approved blocked',
    ['name:string', 'country:string', 'payment_terms_days:integer'],
    'purchase_orders expenses',
  ),
  entity(
    'finance',
    'purchase_order',
    'purchase_orders',
    'po',
    'an order the company placed with a vendor',
    'draft approved received closed',
    ['vendor_id:string', 'total:number', 'expected_on:date'],
    'vendors budgets',
  ),
];
