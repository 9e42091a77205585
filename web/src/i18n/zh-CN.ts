/**
 * Chinese (zh-CN) interface text, the default language. en.ts must hold the
 * same keys: its type is derived from this object, so tsc reports a missing or
 * extra key there.
 */
export const zhCN = {
  app: {
    portalName: '兰台数字档案馆',
    workbenchName: '兰台档案工作台',
    documentTitle: '{{page}} · {{site}}',
  },
  language: {
    label: '界面语言',
    zhCN: '中文',
    en: 'English',
  },
  demo: {
    title: '演示环境',
    description: '数据为演示数据，请勿录入真实档案。',
  },
  common: {
    loading: '正在加载…',
    networkError: '无法连接服务器，请检查网络后重试。',
    requestId: '请求编号：{{id}}',
    retry: '重试',
    refresh: '刷新',
    openMenu: '打开菜单',
    menu: '菜单',
    planned: '建设中',
    notFoundTitle: '页面不存在',
    notFoundText: '您访问的页面不存在或已移动。',
    backHome: '返回首页',
  },
  portal: {
    navLabel: '门户导航',
    nav: {
      home: '首页',
      search: '档案检索',
      collections: '专题数据库',
      exhibitions: '网上展览',
      appointments: '预约查档',
      inquiries: '咨询',
    },
    footer: '兰台 Lantai 开源数字档案馆系统',
    version: '版本 {{version}}',
    home: {
      title: '首页',
      heading: '查阅开放档案',
      intro: '兰台数字档案馆向社会公众提供已开放档案的检索与利用。您也可以浏览专题数据库和网上展览，在线预约查档或提出咨询。',
      searchLabel: '检索开放档案',
      searchPlaceholder: '输入题名、责任者或关键词',
      searchButton: '检索',
      enter: '进入',
      cards: {
        search: '检索已开放档案的目录和全文。',
        collections: '浏览按主题汇集的档案资料。',
        exhibitions: '观看以馆藏档案为素材的图文展览。',
        appointments: '预约到馆查阅档案的日期和时段。',
        inquiries: '就档案查询和利用手续提出问题。',
      },
    },
    search: {
      description: '在这里检索已开放的档案目录和全文。检索功能正在建设中。',
      yourQuery: '您输入的检索词：{{query}}',
    },
    collections: {
      description: '在这里浏览按主题汇集的档案专题数据库。专题数据库正在建设中。',
    },
    exhibitions: {
      description: '在这里观看以馆藏档案为素材的网上展览。网上展览正在建设中。',
    },
    appointments: {
      description: '在这里预约到馆查阅档案的日期和时段，并查看预约进度。预约功能正在建设中。',
    },
    inquiries: {
      description: '在这里就档案查询、利用手续等提出咨询，并查看答复。咨询功能正在建设中。',
    },
  },
  auth: {
    login: {
      title: '登录',
      heading: '登录兰台',
      intro: '请使用档案馆分配的账号登录。',
      username: '用户名',
      password: '密码',
      usernameRequired: '请输入用户名',
      passwordRequired: '请输入密码',
      submit: '登录',
      backToPortal: '返回门户',
    },
    password: {
      title: '修改密码',
      forced: '首次登录或密码被重置后，须先修改密码才能继续使用。',
      policyTitle: '密码要求',
      policy: '新密码至少 8 位，须包含大写字母、小写字母、数字、符号中的至少三类，不能包含用户名，也不能与当前密码相同。',
      current: '当前密码',
      next: '新密码',
      confirm: '确认新密码',
      currentRequired: '请输入当前密码',
      nextRequired: '请输入新密码',
      confirmRequired: '请再次输入新密码',
      mismatch: '两次输入的新密码不一致',
      submit: '修改密码',
      cancel: '取消',
      done: '密码已修改。',
    },
    totp: {
      verifyTitle: '动态口令验证',
      verifyIntro: '请输入验证器应用中显示的 6 位动态口令。',
      enrolTitle: '绑定动态口令验证器',
      enrolIntro: '您的账号须使用动态口令登录。请用验证器应用扫描下面的二维码，然后输入应用中显示的 6 位口令。',
      qrAlt: '动态口令验证器的二维码',
      manual: '无法扫描时，请在验证器应用中手动输入此地址：',
      code: '动态口令',
      codeRequired: '请输入 6 位动态口令',
      submit: '验证',
    },
    user: {
      menuLabel: '账号菜单',
      changePassword: '修改密码',
      logout: '退出登录',
      logoutEverywhere: '退出所有设备',
      loggedOutEverywhere: '已在所有设备上退出登录。',
    },
    portal: {
      login: '登录',
      logout: '退出',
      workbench: '档案工作台',
    },
    forbidden: {
      title: '无权访问',
      text: '您没有访问档案工作台的权限',
      hint: '如需使用档案工作台，请联系档案馆的安全保密管理员为您授予相应角色。',
      backToPortal: '返回门户',
    },
  },
  admin: {
    menuLabel: '工作台菜单',
    backToPortal: '访问门户',
    planned: '该功能正在建设中。',
    dashboard: {
      title: '工作台',
      intro: '本页显示系统的运行概况和各项业务功能的入口。',
      overview: '运行概况',
      version: '系统版本',
      zone: '部署网络',
      classification: '部署类型',
      health: '运行状态',
      viewStatus: '查看系统状态',
      functions: '业务功能',
    },
    zone: {
      lan: '局域网',
      gov: '政务网',
      internet: '互联网',
    },
    classified: {
      yes: '涉密',
      no: '非密',
    },
    status: {
      ok: '正常',
      degraded: '降级',
      failed: '异常',
    },
    groups: {
      receive: {
        title: '接收',
        description: '接收立档单位在线和离线移交的电子档案，并进行四性检测。',
        items: {
          transfers: { title: '移交管理', description: '在这里查看立档单位提交的移交，核对移交清单，办理接收或退回。' },
          checks: { title: '四性检测', description: '在这里查看每次移交的真实性、完整性、可用性和安全性检测报告（DA/T 70）。' },
          media: { title: '离线介质登记', description: '在这里登记立档单位以离线存储介质移交的档案。' },
          webcapture: { title: '网页采集', description: '在这里配置网站采集任务，查看采集到的网页档案（WARC）。' },
        },
      },
      arrange: {
        title: '整理',
        description: '对接收的档案进行分类、著录和档号编制。',
        items: {
          fonds: { title: '全宗管理', description: '在这里维护全宗和立档单位信息。' },
          catalog: { title: '著录编目', description: '在这里按 DA/T 46 著录档案元数据，编辑档案目录。' },
          codes: { title: '档号管理', description: '在这里编制和变更档号，查看档号变更记录。' },
        },
      },
      preserve: {
        title: '保存',
        description: '对馆藏电子档案进行长期保存和安全管理。',
        items: {
          fixity: { title: '固定性审计', description: '在这里查看定期重新计算文件摘要的审计结果，发现并修复受损文件。' },
          stores: { title: '存储库', description: '在这里查看各存储库及其副本的容量和状态。' },
          backup: { title: '备份', description: '在这里管理数据库和文件的备份与恢复，以及离线介质导出。' },
        },
      },
      use: {
        title: '利用',
        description: '为社会公众、政务用户和馆内人员提供档案利用服务。',
        items: {
          requests: { title: '利用申请', description: '在这里审批查阅、复制档案的利用申请。' },
          register: { title: '利用登记', description: '在这里登记和查询每一次档案利用。' },
          appointments: { title: '预约查档', description: '在这里处理公众的预约查档申请。' },
          inquiries: { title: '咨询答复', description: '在这里答复公众提出的咨询。' },
          collections: { title: '专题数据库', description: '在这里编辑专题数据库。' },
          exhibitions: { title: '网上展览', description: '在这里策划和发布网上展览。' },
        },
      },
      appraise: {
        title: '鉴定与处置',
        description: '对档案的开放、保管期限、密级和处置进行鉴定。',
        items: {
          openness: { title: '开放审核', description: '在这里审核到期档案能否向社会开放。' },
          retention: { title: '保管期限鉴定', description: '在这里对保管期限届满的档案进行鉴定。' },
          disposal: { title: '销毁处置', description: '在这里办理经鉴定无保存价值档案的销毁审批和登记。' },
        },
      },
      statistics: {
        title: '统计',
        description: '统计馆藏、接收和利用情况。',
        items: {
          holdings: { title: '馆藏统计', description: '在这里按全宗、门类和年度统计馆藏数量。' },
          transfers: { title: '接收统计', description: '在这里统计各立档单位的移交和接收情况。' },
          use: { title: '利用统计', description: '在这里统计档案利用的人次、件次和目的。' },
        },
      },
      system: {
        title: '系统管理',
        description: '管理用户、权限和审计日志，查看系统运行状态。',
        items: {
          status: { title: '系统状态', description: '查看数据库和各存储库的连接状态。' },
          users: { title: '用户与权限', description: '在这里由系统管理员管理用户账户，由安全保密管理员授予权限（三员分立）。' },
          audit: { title: '审计日志', description: '在这里由安全保密管理员和安全审计员查阅审计日志。' },
        },
      },
    },
    systemStatus: {
      intro: '数据库和各存储库的连接状态，每 30 秒自动刷新。',
      overall: '总体状态',
      checkedAt: '检查时间',
      database: '数据库',
      stores: '存储库',
      storeName: '名称',
      storeKind: '类型',
      storeStatus: '状态',
      storeDetail: '说明',
      noStores: '未配置存储库',
      system: '系统信息',
      version: '版本',
      zone: '部署网络',
      classification: '部署类型',
      demo: '演示环境',
      yes: '是',
      no: '否',
    },
  },
};

/** The shape every language file has. */
export type Messages = typeof zhCN;
