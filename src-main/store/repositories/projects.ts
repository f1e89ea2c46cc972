/** Projects: named groups of datasets and runs. Deleting one deletes everything in it. */
import { Project, ProjectName, ProjectSummary } from '../../shared/store-types';
import type { StoreContext } from '../context';
import { isUniqueViolation } from '../context';
import { StoreError, notFound, validate } from '../errors';
import { newId } from '../ids';

interface ProjectRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}
interface ProjectSummaryRow extends ProjectRow {
  run_count: number;
  dataset_count: number;
}

export const DEFAULT_PROJECT_NAME = 'Default';

function toProject(row: ProjectRow): Project {
  return Project.parse({ id: row.id, name: row.name, createdAt: row.created_at, updatedAt: row.updated_at });
}

export class ProjectsRepository {
  constructor(private readonly ctx: StoreContext) {}

  create(input: { name: string }): Project {
    const name = validate(ProjectName, input.name, 'project name');
    const id = newId('prj', (candidate) => this.exists(candidate));
    const now = this.ctx.now();
    try {
      this.ctx.db
        .prepare('INSERT INTO projects (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)')
        .run(id, name, now, now);
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(name);
      throw error;
    }
    return this.require(id);
  }

  /** Every project with its run and dataset counts, oldest first. */
  list(): ProjectSummary[] {
    const rows = this.ctx.db
      .prepare<[], ProjectSummaryRow>(
        `SELECT p.*,
                (SELECT COUNT(*) FROM runs r WHERE r.project_id = p.id) AS run_count,
                (SELECT COUNT(*) FROM datasets d WHERE d.project_id = p.id) AS dataset_count
           FROM projects p
          ORDER BY p.created_at, p.rowid`,
      )
      .all();
    return rows.map((row) =>
      ProjectSummary.parse({ ...toProject(row), runCount: row.run_count, datasetCount: row.dataset_count }),
    );
  }

  get(id: string): Project | null {
    const row = this.ctx.db.prepare<[string], ProjectRow>('SELECT * FROM projects WHERE id = ?').get(id);
    return row ? toProject(row) : null;
  }

  require(id: string): Project {
    const project = this.get(id);
    if (!project) throw notFound('project', id);
    return project;
  }

  findByName(name: string): Project | null {
    const row = this.ctx.db
      .prepare<[string], ProjectRow>('SELECT * FROM projects WHERE name = ?')
      .get(name.trim());
    return row ? toProject(row) : null;
  }

  rename(id: string, name: string): Project {
    const newName = validate(ProjectName, name, 'project name');
    this.require(id);
    try {
      this.ctx.db
        .prepare('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?')
        .run(newName, this.ctx.now(), id);
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(newName);
      throw error;
    }
    return this.require(id);
  }

  /** Deletes the project with its datasets, runs and everything hanging off them (FK cascades). */
  delete(id: string): void {
    const running = this.ctx.db
      .prepare<[string], { id: string }>("SELECT id FROM runs WHERE project_id = ? AND status = 'running' LIMIT 1")
      .get(id);
    this.require(id);
    if (running) {
      throw new StoreError(
        'conflict',
        `Project "${id}" has a running run ("${running.id}"); cancel it before deleting the project.`,
      );
    }
    this.ctx.db.prepare('DELETE FROM projects WHERE id = ?').run(id);
  }

  /** The project named "Default", created on first use; safe against a concurrent creator. */
  getOrCreateDefault(): Project {
    const existing = this.findByName(DEFAULT_PROJECT_NAME);
    if (existing) return existing;
    const now = this.ctx.now();
    const id = newId('prj', (candidate) => this.exists(candidate));
    // OR IGNORE: if another process created it between the SELECT and here, keep theirs.
    this.ctx.db
      .prepare('INSERT OR IGNORE INTO projects (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run(id, DEFAULT_PROJECT_NAME, now, now);
    const created = this.findByName(DEFAULT_PROJECT_NAME);
    if (!created) throw new Error('The default project could not be created.');
    return created;
  }

  private exists(id: string): boolean {
    return this.ctx.db.prepare('SELECT 1 FROM projects WHERE id = ?').get(id) !== undefined;
  }
}

function duplicate(name: string): StoreError {
  return new StoreError('conflict', `A project named "${name}" already exists.`);
}
