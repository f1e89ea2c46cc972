/** Datasets registered for reuse: what a run's DatasetRef resolves to, with shape and class names. */
import { z } from 'zod';
import { ImageShape } from '../../shared/run-config';
import { Dataset, NewDataset } from '../../shared/store-types';
import type { StoreContext } from '../context';
import { StoreError, notFound, validate } from '../errors';
import { newId } from '../ids';
import { fromJson, toJson } from '../json';

interface DatasetRow {
  id: string;
  project_id: string | null;
  name: string;
  kind: string;
  data_dir: string | null;
  shape: string;
  classes: number;
  class_names: string;
  train_count: number;
  test_count: number;
  created_at: string;
}

function toDataset(row: DatasetRow): Dataset {
  const what = (column: string): string => `${column} of dataset "${row.id}"`;
  return Dataset.parse({
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    kind: row.kind,
    dataDir: row.data_dir,
    shape: fromJson(ImageShape, row.shape, what('shape')),
    classes: row.classes,
    classNames: fromJson(z.array(z.string()), row.class_names, what('class_names')),
    trainCount: row.train_count,
    testCount: row.test_count,
    createdAt: row.created_at,
  });
}

export class DatasetsRepository {
  constructor(private readonly ctx: StoreContext) {}

  create(input: NewDataset): Dataset {
    const d = validate(NewDataset, input, 'dataset');
    const classNames = d.classNames ?? Array.from({ length: d.classes }, (_, i) => String(i));
    if (classNames.length !== d.classes) {
      throw new StoreError(
        'invalid',
        `Invalid dataset "${d.name}": it has ${d.classes} classes but ${classNames.length} class names.`,
      );
    }
    const projectId = d.projectId ?? null;
    if (projectId !== null && !this.ctx.db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) {
      throw notFound('project', projectId);
    }
    const id = newId('ds', (candidate) => this.get(candidate) !== null);
    this.ctx.db
      .prepare(
        `INSERT INTO datasets (id, project_id, name, kind, data_dir, shape, classes, class_names,
                               train_count, test_count, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        projectId,
        d.name,
        d.kind,
        d.dataDir ?? null,
        toJson(d.shape),
        d.classes,
        toJson(classNames),
        d.trainCount,
        d.testCount,
        this.ctx.now(),
      );
    return this.require(id);
  }

  /** Datasets of one project (plus the global ones, project_id NULL), or all when no project is given. */
  list(projectId?: string): Dataset[] {
    const rows =
      projectId === undefined
        ? this.ctx.db.prepare<[], DatasetRow>('SELECT * FROM datasets ORDER BY created_at, rowid').all()
        : this.ctx.db
            .prepare<[string], DatasetRow>(
              'SELECT * FROM datasets WHERE project_id = ? OR project_id IS NULL ORDER BY created_at, rowid',
            )
            .all(projectId);
    return rows.map(toDataset);
  }

  get(id: string): Dataset | null {
    const row = this.ctx.db.prepare<[string], DatasetRow>('SELECT * FROM datasets WHERE id = ?').get(id);
    return row ? toDataset(row) : null;
  }

  require(id: string): Dataset {
    const dataset = this.get(id);
    if (!dataset) throw notFound('dataset', id);
    return dataset;
  }

  delete(id: string): void {
    if (this.ctx.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes === 0) {
      throw notFound('dataset', id);
    }
  }
}
