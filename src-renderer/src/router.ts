/**
 * Hash history: works from file:// inside Electron and from `ffr serve` alike, and keeps the
 * `?token=` of the served page's URL untouched (routes live after the #).
 */
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import ProjectsView from './views/ProjectsView.vue';
import ProjectRunsView from './views/ProjectRunsView.vue';
import NotFoundView from './views/NotFoundView.vue';

// Views with charts load on first visit: ECharts stays out of the first paint of the run list.
const NewRunView = () => import('./views/NewRunView.vue');
const RunView = () => import('./views/RunView.vue');
const CompareView = () => import('./views/CompareView.vue');
const DatasetsView = () => import('./views/DatasetsView.vue');
const PruneView = () => import('./views/PruneView.vue');
const SettingsView = () => import('./views/SettingsView.vue');
const StudiesView = () => import('./views/StudiesView.vue');
const StudyView = () => import('./views/StudyView.vue');

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/projects' },
  { path: '/projects', name: 'projects', component: ProjectsView, meta: { title: 'Projects' } },
  { path: '/projects/:projectId', name: 'project', component: ProjectRunsView, props: true, meta: { title: 'Runs' } },
  { path: '/new-run', name: 'new-run', component: NewRunView, meta: { title: 'New run' } },
  { path: '/runs/:runId', name: 'run', component: RunView, props: true, meta: { title: 'Run' } },
  { path: '/runs/:runId/prune', name: 'prune', component: PruneView, props: true, meta: { title: 'Prune & export' } },
  { path: '/compare', name: 'compare', component: CompareView, meta: { title: 'Compare' } },
  { path: '/datasets', name: 'datasets', component: DatasetsView, meta: { title: 'Datasets' } },
  { path: '/studies', name: 'studies', component: StudiesView, meta: { title: 'Studies' } },
  { path: '/studies/:studyId', name: 'study', component: StudyView, props: true, meta: { title: 'Study' } },
  { path: '/settings', name: 'settings', component: SettingsView, meta: { title: 'Settings' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFoundView, meta: { title: 'Not found' } },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

router.afterEach((to) => {
  const t = typeof to.meta.title === 'string' ? to.meta.title : '';
  document.title = t ? `${t} · FFR Workbench` : 'FFR Workbench';
});
