import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { Role } from '../../api/claims';
import { useSession } from './stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean;
    roles?: Role[];
    title?: string;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('./views/LoginView.vue'), meta: { public: true, title: '登录' } },
  { path: '/public', component: () => import('./views/PublicDisclosures.vue'), meta: { public: true, title: '公示' } },
  { path: '/', component: () => import('./views/HomeRedirect.vue') },
  { path: '/todo', component: () => import('./views/TodoList.vue'), meta: { roles: ['township', 'county'], title: '待办' } },
  { path: '/cases/new', component: () => import('./views/NewCase.vue'), meta: { roles: ['township', 'admin'], title: '新建案件' } },
  { path: '/cases/:caseId', component: () => import('./views/CasePage.vue'), props: true, meta: { title: '案件' } },
  { path: '/cases/:caseId/file', component: () => import('./views/CaseFile.vue'), props: true, meta: { title: '案卷' } },
  { path: '/board', component: () => import('./views/SupervisorBoard.vue'), meta: { roles: ['supervisor', 'admin'], title: '督办' } },
  {
    path: '/inspections',
    component: () => import('./views/InspectionCampaigns.vue'),
    // who the API lets plan and draw (api/routes/inspections.ts `staff`)
    meta: { roles: ['county', 'supervisor', 'admin'], title: '双随机抽查' },
  },
  { path: '/admin/registries', component: () => import('./views/AdminRegistries.vue'), meta: { roles: ['admin'], title: '登记簿' } },
  { path: '/admin/accounts', component: () => import('./views/AdminAccounts.vue'), meta: { roles: ['admin'], title: '账号管理' } },
  { path: '/admin/sla-policy', component: () => import('./views/AdminSlaPolicy.vue'), meta: { roles: ['admin'], title: '时限策略' } },
  { path: '/admin/calendar', component: () => import('./views/AdminHolidayCalendar.vue'), meta: { roles: ['admin'], title: '节假日' } },
  { path: '/admin/webhooks', component: () => import('./views/AdminWebhooks.vue'), meta: { roles: ['admin'], title: '消息推送' } },
  { path: '/:rest(.*)*', component: () => import('./views/NotFound.vue'), meta: { public: true, title: '页面不存在' } },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  const session = useSession();
  if (!session.loaded) await session.load().catch(() => undefined);
  if (to.meta.public) return true;
  if (!session.claims) return { path: '/login', query: { redirect: to.fullPath } };
  if (to.meta.roles && !to.meta.roles.includes(session.claims.role)) return { path: '/' };
  return true;
});
router.afterEach((to) => {
  document.title = `${to.meta.title ? `${to.meta.title} · ` : ''}一支队伍管执法 工作台`;
});

/** Each role's home screen (workbench.md "Who sees what"). */
export function homeOf(role: Role | undefined): string {
  switch (role) {
    case 'township':
    case 'county':
      return '/todo';
    case 'supervisor':
      return '/board';
    case 'admin':
      return '/admin/registries';
    default:
      return '/login';
  }
}
