/** English interface text; the keys are those of zh-CN.ts (checked by the type). */
import type { Messages } from './zh-CN.js';

export const en: Messages = {
  app: {
    portalName: 'Lantai Digital Archives',
    workbenchName: 'Lantai Archive Workbench',
    documentTitle: '{{page}} · {{site}}',
  },
  language: {
    label: 'Interface language',
    zhCN: '中文',
    en: 'English',
  },
  demo: {
    title: 'Demo environment',
    description: 'All data here is demo data. Do not enter real records.',
  },
  common: {
    loading: 'Loading…',
    networkError: 'Cannot reach the server. Check the network and try again.',
    requestId: 'Request id: {{id}}',
    retry: 'Retry',
    refresh: 'Refresh',
    openMenu: 'Open menu',
    menu: 'Menu',
    planned: 'In progress',
    notFoundTitle: 'Page not found',
    notFoundText: 'The page you asked for does not exist or has moved.',
    backHome: 'Back to home',
  },
  portal: {
    navLabel: 'Portal navigation',
    nav: {
      home: 'Home',
      search: 'Search',
      collections: 'Thematic databases',
      exhibitions: 'Online exhibitions',
      appointments: 'Appointments',
      inquiries: 'Inquiries',
    },
    footer: 'Lantai open-source digital archive system',
    version: 'version {{version}}',
    home: {
      title: 'Home',
      heading: 'Consult open records',
      intro: 'Lantai Digital Archives gives the public access to open records. You can also browse thematic databases and online exhibitions, book an appointment to consult records, or ask a question.',
      searchLabel: 'Search open records',
      searchPlaceholder: 'Title, creator or keywords',
      searchButton: 'Search',
      enter: 'Open',
      cards: {
        search: 'Search the catalogue and full text of open records.',
        collections: 'Browse records gathered by theme.',
        exhibitions: 'View illustrated exhibitions built from the holdings.',
        appointments: 'Book a date and time to consult records in the reading room.',
        inquiries: 'Ask about finding records and how to use them.',
      },
    },
    search: {
      description: 'Here you will search the catalogue and full text of open records. Search is being built.',
      yourQuery: 'Your search terms: {{query}}',
    },
    collections: {
      description: 'Here you will browse thematic databases of records gathered by theme. Thematic databases are being built.',
    },
    exhibitions: {
      description: 'Here you will view online exhibitions built from the holdings. Online exhibitions are being built.',
    },
    appointments: {
      description: 'Here you will book a date and time to consult records in the reading room and follow your booking. Appointments are being built.',
    },
    inquiries: {
      description: 'Here you will ask about finding records and access procedures, and read the replies. Inquiries are being built.',
    },
  },
  admin: {
    menuLabel: 'Workbench menu',
    backToPortal: 'Visit the portal',
    planned: 'This function is being built.',
    dashboard: {
      title: 'Workbench',
      intro: 'How the system is running, and the way into each function.',
      overview: 'Overview',
      version: 'Version',
      zone: 'Network zone',
      classification: 'Installation type',
      health: 'Health',
      viewStatus: 'View system status',
      functions: 'Functions',
    },
    zone: {
      lan: 'LAN',
      gov: 'Government network',
      internet: 'Internet',
    },
    classified: {
      yes: 'Classified',
      no: 'Unclassified',
    },
    status: {
      ok: 'OK',
      degraded: 'Degraded',
      failed: 'Failed',
    },
    groups: {
      receive: {
        title: 'Accession',
        description: 'Receive records handed over online or on media by filing agencies, and run the four-property checks.',
        items: {
          transfers: { title: 'Hand-overs', description: 'Here you will review hand-overs from filing agencies, check their lists, and accept or return them.' },
          checks: { title: 'Four-property checks', description: 'Here you will read the authenticity, integrity, usability and security report of each hand-over (DA/T 70).' },
          media: { title: 'Offline media', description: 'Here you will register storage media on which agencies hand over records.' },
          webcapture: { title: 'Web capture', description: 'Here you will set up website captures and browse the captured web records (WARC).' },
        },
      },
      arrange: {
        title: 'Arrangement',
        description: 'Classify and describe accessioned records and assign archival codes.',
        items: {
          fonds: { title: 'Fonds', description: 'Here you will maintain fonds and filing agencies.' },
          catalog: { title: 'Description', description: 'Here you will describe records with DA/T 46 metadata and edit the catalogue.' },
          codes: { title: 'Archival codes', description: 'Here you will assign and change archival codes and read their change history.' },
        },
      },
      preserve: {
        title: 'Preservation',
        description: 'Keep the electronic holdings safe for the long term.',
        items: {
          fixity: { title: 'Fixity audits', description: 'Here you will read the results of the scheduled digest re-checks, and find and repair damaged files.' },
          stores: { title: 'Stores', description: 'Here you will see the capacity and state of each store and its replicas.' },
          backup: { title: 'Backup', description: 'Here you will manage database and file backups, restores and offline media exports.' },
        },
      },
      use: {
        title: 'Access',
        description: 'Serve records to the public, government users and archive staff.',
        items: {
          requests: { title: 'Access requests', description: 'Here you will approve requests to consult or copy records.' },
          register: { title: 'Use register', description: 'Here you will register and look up every use of a record.' },
          appointments: { title: 'Appointments', description: 'Here you will handle appointments booked by the public.' },
          inquiries: { title: 'Inquiries', description: 'Here you will answer questions from the public.' },
          collections: { title: 'Thematic databases', description: 'Here you will edit thematic databases.' },
          exhibitions: { title: 'Online exhibitions', description: 'Here you will curate and publish online exhibitions.' },
        },
      },
      appraise: {
        title: 'Appraisal and disposal',
        description: 'Appraise openness, retention, classification and disposal.',
        items: {
          openness: { title: 'Opening review', description: 'Here you will review whether records due for opening may be opened to the public.' },
          retention: { title: 'Retention review', description: 'Here you will appraise records whose retention period has ended.' },
          disposal: { title: 'Disposal', description: 'Here you will approve and register the destruction of records appraised as of no further value.' },
        },
      },
      statistics: {
        title: 'Statistics',
        description: 'Figures on holdings, accessions and use.',
        items: {
          holdings: { title: 'Holdings', description: 'Here you will count holdings by fonds, category and year.' },
          transfers: { title: 'Accessions', description: 'Here you will count hand-overs and accessions by filing agency.' },
          use: { title: 'Use', description: 'Here you will count visitors, records used and purposes of use.' },
        },
      },
      system: {
        title: 'System',
        description: 'Manage users, grants and audit logs, and see how the system is running.',
        items: {
          status: { title: 'System status', description: 'See whether the database and each store are reachable.' },
          users: { title: 'Users and grants', description: 'Here the system administrator will manage accounts and the security administrator will grant access (separation of the three admin roles).' },
          audit: { title: 'Audit log', description: 'Here the security administrator and the security auditor will review the audit log.' },
        },
      },
    },
    systemStatus: {
      intro: 'Whether the database and each store are reachable; refreshed every 30 seconds.',
      overall: 'Overall',
      checkedAt: 'Checked at',
      database: 'Database',
      stores: 'Stores',
      storeName: 'Name',
      storeKind: 'Kind',
      storeStatus: 'Status',
      storeDetail: 'Detail',
      noStores: 'No stores configured',
      system: 'System',
      version: 'Version',
      zone: 'Network zone',
      classification: 'Installation type',
      demo: 'Demo environment',
      yes: 'Yes',
      no: 'No',
    },
  },
};
